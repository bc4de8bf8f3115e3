"""Pure-Python extraction of 政府信息公开工作年度报告: bytes → document → values (no Dagster here)."""
from extractors.errors import DecodeError, NotAReportError, PageError
from extractors.model import ExtractedReport, ExtractedValue
from extractors.pipeline import PARSER_VERSION, extract_page, parser_fingerprint, read_document

__all__ = [
    "PARSER_VERSION", "DecodeError", "ExtractedReport", "ExtractedValue", "NotAReportError",
    "PageError", "extract_page", "parser_fingerprint", "read_document",
]
