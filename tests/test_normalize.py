"""Table-driven tests of the small pure functions: decoding, script, labels, numbers."""
from __future__ import annotations

import codecs
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.errors import DecodeError
from extractors.normalize.decode import decode_bytes
from extractors.normalize.script import normalize_script, strip_pinyin, to_simplified
from extractors.normalize.text import label_key, nfkc, parse_number

TEXT = "政府信息公开工作年度报告：本年新收申请12件"


@pytest.mark.parametrize("raw, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb18030"),
    (f'<html><head><meta charset="gb2312"></head><body>{TEXT}</body></html>'.encode("gbk"), "gb18030"),
    # the meta tag lies: it says utf-8 but the bytes are GBK
    (f'<html><head><meta charset="utf-8"></head><body>{TEXT * 3}</body></html>'.encode("gbk"), "gb18030"),
    ("政府資訊公開工作年度報告：本年新收申請12件".encode("big5"), "big5hkscs"),
    # a declaration mangled into a name no codec has (`charset=u` + junk bytes): no candidate, not a crash
    (b'<html><head><meta charset="u\xff\xfetf-8"></head><body>' + (TEXT * 3).encode("gbk") + b"</body></html>",
     "gb18030+replace"),
])
def test_decode_bytes(raw, encoding):
    decoded = decode_bytes(raw)
    assert decoded.encoding == encoding
    assert "12件" in decoded.text


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"),
    (b"   \n  ", "empty"),
    (bytes(range(256)) * 40, "binary"),
])
def test_decode_refuses_empty_and_binary(raw, message):
    with pytest.raises(DecodeError, match=message):
        decode_bytes(raw)


@pytest.mark.parametrize("text, expected", [
    ("政府信息公開(kāi)條例", "政府信息公開條例"),
    ("報(bào)告(一)", "報告(一)"),
    ("申請(qǐng)人(以下简称)", "申請人(以下简称)"),
    ("第(一)项", "第(一)项"),
    ("政(zheng)(zheng)府(fu)(fu)開(kai)(kai)", "政府開"),  # formats.md §7.E: toneless, written twice
])
def test_strip_pinyin(text, expected):
    assert strip_pinyin(text) == expected


@pytest.mark.parametrize("text, expected, script", [
    ("衡南縣柞市鎮2018年政府信息公開年度報告", "衡南县柞市镇2018年政府信息公开年度报告", "traditional"),
    ("五、谘詢處理情況", "五、咨询处理情况", "traditional"),
    ("本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量", "simplified"),
])
def test_normalize_script(text, expected, script):
    assert normalize_script(text) == (expected, script)
    assert to_simplified(text) == expected


@pytest.mark.parametrize("label, key", [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "部分公开"),
    ("其中：主动公开规范性文件数", "主动公开规范性文件数"),
    ("3.危及“三安全一稳定”", "危及三安全一稳定"),
    ("一 、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
    ("四、结转下年度继续办理", "结转下年度继续办理"),
    ("商业 企业", "商业企业"),
    ("本年增/减（指2020年增加或减少的事项数，减用负值表示，如-8）", "本年增减"),
    ("其它", "其他"),
])
def test_label_key(label, key):
    assert label_key(label) == key


@pytest.mark.parametrize("text, value, unit", [
    ("0", 0, None), ("  0 ", 0, None), ("1,234", 1234, None), ("+19", 19, None), ("-8", -8, None),
    ("减8", -8, None), ("703.1544万元", 703.1544, "万元"), ("251000元", 251000, "元"), ("１２", 12, None),
    ("96171.6", 96171.6, None), ("34 件", 34, "件"),
])
def test_parse_number(text, value, unit):
    number = parse_number(text)
    assert number is not None and number.value == value and number.unit == unit


@pytest.mark.parametrize("text", ["", "-", "/", "无", "2021年", "0597-4632003", "第二十条", "12a"])
def test_parse_number_rejects(text):
    assert parse_number(text) is None


def test_fast_t2s_equals_opencc_on_real_and_generated_text():
    """The translate-table converter must give OpenCC's own t2s output, character for character."""
    from conftest import SAMPLE_CORPUS
    from extractors.normalize.script import _convert, _t2s
    from synthetic import generate_report

    texts = [p.read_text(encoding="utf-8") for p in SAMPLE_CORPUS.iterdir()]
    for seed in range(12):
        r = generate_report(seed, script="traditional")
        texts.append(r.raw.decode("utf-8-sig" if r.encoding.startswith("utf-8") else r.encoding, "replace"))
    texts.append("一目瞭然的乾隆年間，乾燥的天氣裡，他著手編製報表")
    # simplified pages with a few traditional characters (a 繁體 link, one 萬元 cell) take the
    # replace-per-character path
    texts += ["无障碍浏览 | 长者模式 | 繁體\n主动公开 | 1 | 2", "收费金额（萬元）0.5", "頭" * 5000 + "一"]
    for text in texts:
        assert _convert(text) == _t2s().convert(text)


# ---------------------------------------------------------------- fast paths equal their reference

_CHINESE_TEXT = st.text(alphabet=st.sampled_from(list(
    "（）：，；、。　 \u00a0０１２９ＡＺ①㈠ｶﾞ一二三四五六七八九十其中它他.)(:1234567890本年新收申请数量部分公开減萬")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(_CHINESE_TEXT)
def test_nfkc_fast_path_equals_unicodedata(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


# the ordinal pattern before it was merged into one alternation per prefix (faster, same matches)
_ORDINAL_REFERENCE = re.compile(r"[一二三四五六七八九十]+[、.]|\d+[.、]|^其中[:]?|[一二三四五六七八九十]+\)|\d+\)")


@settings(max_examples=400, deadline=None)
@given(_CHINESE_TEXT)
def test_ordinal_pattern_matches_its_reference(text):
    from extractors.normalize.text import _ORDINAL

    assert _ORDINAL.sub("", text) == _ORDINAL_REFERENCE.sub("", text)


@pytest.mark.parametrize("text, value", [("减8", -8), ("增 3", 3), ("①", 1), ("\u3000１２", 12)])
def test_parse_number_signs_and_compatibility_digits(text, value):
    # the CJK-ideograph shortcut must still let 减/增 and NFKC digits through
    assert parse_number(text).value == value


@pytest.mark.parametrize("text", ["八", "本年新收12件", "一、本年新收"])
def test_parse_number_rejects_text_starting_with_an_ideograph(text):
    assert parse_number(text) is None
