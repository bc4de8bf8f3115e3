"""Bytes → str. Declarations lie (a GBK page with <meta charset=utf-8>), so they are checked, not trusted."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from extractors.errors import DecodeError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK are subsets of GB18030: decoding with the superset never loses a character.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb18030": "gb18030",
              "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs",
              "utf8": "utf-8", "utf-8": "utf-8", "ascii": "utf-8", "us-ascii": "utf-8"}
# A page is refused as binary when more than this share of its characters are control characters.
_MAX_CONTROL_SHARE = 0.02


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _canonical(name: str) -> str | None:
    """Python's codec name (GBK widened to GB18030), or None for a name no codec answers to (a mangled
    `charset=u`): a declaration that names nothing is no candidate."""
    try:
        name = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample or _CONTROL.search(sample) is None:  # the usual page: no control character at all
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > _MAX_CONTROL_SHARE


# A page that decodes with more than this share of replacement characters is refused.
_MAX_REPLACED_SHARE = 0.05


def _least_damaged(raw: bytes, encodings: list[str]) -> tuple[str, str]:
    """Mixed encodings in one page (a UTF-8 template around GBK content): keep the reading that loses
    the fewest bytes, and say so in the encoding name."""
    best_text, best_enc, best_bad = "", "", None
    for enc in encodings:
        text = raw.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if best_bad is None or bad < best_bad:
            best_text, best_enc, best_bad = text, enc, bad
    if not best_text or best_bad / max(len(best_text), 1) > _MAX_REPLACED_SHARE:
        raise DecodeError("undecodable bytes: no encoding fits (binary file or heavily mixed encodings?)")
    return best_text, f"{best_enc}+replace"


def decode_bytes(raw: bytes, declared: str | None = None) -> Decoded:
    """Decode with, in order: a BOM, UTF-8 if the bytes are valid UTF-8, the declared charset
    (meta tag or caller) if the bytes are valid in it, and charset-normalizer's best guess."""
    if not raw or not raw.strip():
        raise DecodeError("empty page: no bytes to read")
    if raw.startswith(codecs.BOM_UTF8):
        text, encoding = raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = raw.decode("utf-16", errors="replace"), "utf-16"
    else:
        text, encoding = None, ""
        # Valid UTF-8 with Chinese in it is almost never another encoding by accident.
        candidates = ["utf-8"]
        if declared and (named := _canonical(declared)):
            candidates.append(named)
        meta = _META_CHARSET.search(raw[:4096])
        if meta and (named := _canonical(meta.group(1).decode("ascii", "ignore"))):
            candidates.append(named)
        for enc in dict.fromkeys(candidates):
            text = _strict(raw, enc)
            if text is not None:
                encoding = enc
                break
        if text is None:
            best = from_bytes(raw, cp_isolation=["gb18030", "big5", "utf_8", "utf_16"]).best()
            if best is not None:
                encoding = _canonical(best.encoding) or best.encoding
                text = raw.decode(encoding, errors="replace")
            else:
                text, encoding = _least_damaged(raw, list(dict.fromkeys(candidates + ["gb18030"])))
    if _looks_binary(text):
        raise DecodeError(f"binary content: too many control characters after decoding as {encoding}")
    return Decoded(text=text, encoding=encoding)
