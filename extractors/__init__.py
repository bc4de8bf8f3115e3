"""Pure-Python extraction of 政府信息公开工作年度报告: bytes → document → values (no Dagster here)."""
from extractors.errors import DecodeError, NotAReportError, PageError
from extractors.model import ExtractedReport, ExtractedValue
from extractors.normalize.tokens import Document, tokens_from_json, tokens_to_json
from extractors.pipeline import (
    PARSER_VERSION, extract_document, extract_page, parser_fingerprint, read_document, sniff_media_type,
)

__all__ = [
    "PARSER_VERSION", "DecodeError", "Document", "ExtractedReport", "ExtractedValue", "NotAReportError",
    "PageError", "extract_document", "extract_page", "parser_fingerprint", "read_document",
    "sniff_media_type", "tokens_from_json", "tokens_to_json",
]
