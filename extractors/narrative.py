"""Prose figures: the sentences of formats.md §5 mapped to the report era's codes.

Prose is the only source for most pre-2019 township and department reports, and it restates
table figures later. Every figure keeps its sentence as evidence; 余/多/近/约 mark it approximate.
Decoys (percentages, document numbers, dates, phone numbers, 12345 hotline counts) never match,
because every pattern needs its own wording and unit around the number.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from extractors.catalogue import Catalogue
from extractors.model import ExtractedValue

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
NUM = r"(?P<pre>近|约|逾)?\s*(?P<n>\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(?P<post>余|多)?\s*"


# A date whose 年/月/日 the copy lost (2021926 for 2021年9月26日, 20211231): formats.md §7.G says never to read
# such a run as a count. Six to eight digits, a report-era year, then a valid month and day.
_GLUED_DATE = re.compile(r"(?:199\d|20[0-3]\d)(?:0?[1-9]|1[0-2])(?:0?[1-9]|[12]\d|3[01])")


def is_glued_date(digits: str) -> bool:
    return 6 <= len(digits) <= 8 and _GLUED_DATE.fullmatch(digits) is not None


def cn_to_number(text: str) -> float | None:
    """12 / 1,234 / 0.5 / 十二 / 两 / 一百二十 / 三千零五 → number."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
        else:
            return None
    return float(total + current)


def _anchors(source: str) -> tuple[str, ...]:
    """Literal CJK runs outside any group: a sentence lacking one of them cannot match, so the
    (many) patterns are only tried on sentences that name their words."""
    depth, runs, current = 0, [], ""
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            current = ""
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and "\u4e00" <= ch <= "\u9fff":
            current += ch
        else:
            if len(current) >= 2:
                runs.append(current)
            current = ""
        i += 1
    if len(current) >= 2:
        runs.append(current)
    # a run right before a quantifier (?, *, {) is optional in its last character
    return tuple(r for r in runs)


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    v2008: str | None  # code in a v2008 report
    modern: str | None  # code in a v2019 / v2021 report
    fixed: float | None = None  # a zero statement ("没有收到…申请") has no number
    requires: str | None = None  # the sentence must name this (维持…5件 in a 复议 sentence)
    excludes: str | None = None  # … and must not name this
    anchors: tuple[str, ...] = ()


def _p(pattern: str, v2008: str | None, modern: str | None, fixed: float | None = None,
       requires: str | None = None, excludes: str | None = None, anchors: tuple[str, ...] = ()) -> Pattern:
    """``anchors``: words every match contains, for a pattern whose literal runs all sit in groups."""
    found = _anchors(pattern) + anchors
    if not found:
        raise ValueError(f"prose pattern without an anchor word: {pattern}")
    return Pattern(re.compile(pattern), v2008, modern, fixed, requires, excludes, found)


PATTERNS: tuple[Pattern, ...] = (
    # proactive disclosure (§5 patterns 1, 2)
    _p(r"(?:本年度|本年|全年)新增(?:主动公开)?(?:政府|政务)?(?:信息)?" + NUM + r"条", "old_active_total", "nar_active_items"),
    _p(r"(?<!累计)主动公开(?:政府|政务)?信息(?:共计|共|总计|数)?" + NUM + r"条", "old_active_total", "nar_active_items"),
    _p(r"政府(?:门户)?网站(?:主动)?(?:公开|发布)(?:政府)?(?:信息)?(?:共)?" + NUM + r"条", "old_channel_website", "nar_website_items"),
    _p(r"政务微博(?:主动)?(?:公开|发布)(?:政府)?(?:信息)?(?:共)?" + NUM + r"条", "old_channel_weibo", "nar_weibo_items"),
    _p(r"政务微信(?:公众号)?(?:主动)?(?:公开|发布)(?:政府)?(?:信息)?(?:共)?" + NUM + r"条", "old_channel_wechat", "nar_wechat_items"),
    _p(r"其他方式公开(?:政府)?信息(?:共)?" + NUM + r"条", "old_channel_other", None),
    _p(r"政府公报(?:主动)?公开(?:政府)?信息(?:共)?" + NUM + r"条", "old_channel_gazette", None),
    _p(r"(?:制发|制定|出台)(?:行政)?规范性文件(?:共)?" + NUM + r"(?:件|份|个)", "old_normative_issued", None),
    # interpretation and response (§5 patterns 4-6)
    _p(r"政策解读(?:稿件)?(?:发布)?(?:数)?(?:共计|共)?" + NUM + r"(?:篇|件|条)", "old_policy_interpretations", "nar_policy_interpretations"),
    _p(r"回应(?:公众|社会)关注热点(?:或重大舆情)?(?:信息)?(?:数)?(?:共计|共)?" + NUM + r"(?:次|条)", "old_response_hotspots", "nar_hotspot_responses"),
    _p(r"(?:举办|参加|召开)(?:新闻)?发布会(?:总次数|总次|共)?" + NUM + r"(?:次|场)", "old_press_conferences", "nar_press_conferences"),
    _p(r"在线访谈" + NUM + r"次", "old_online_interviews", None),
    _p(r"微博微信回应事件(?:数)?" + NUM + r"(?:件|次)", "old_weibo_wechat_responses", None),
    _p(r"其他方式回应事件(?:数)?" + NUM + r"(?:件|次)", "old_other_responses", None),
    # requests (§5 patterns 9, 11, 12, 15, 23)
    _p(r"(?<!没有)(?<!未)(?:受理|收到|接到)(?:政府信息公开|信息公开|依申请公开)(?:的)?申请(?:共计|共)?" + NUM + r"(?:件|条|次|起)", "old_req_received", "req_new"),
    _p(r"(?<!没有)(?<!未)(?:受理|收到|接到)" + NUM + r"(?:件|起)(?:政府信息)?(?:公开申请|依申请公开)", "old_req_received", "req_new",
       anchors=("申请",)),
    _p(r"(?:没有|未)(?:收到|接到|受理)(?:过)?(?:一件)?[^。；，,]{0,25}?(?:信息公开|公开政府信息|依申请公开)[^。；]{0,6}?申请", "old_req_received", "req_new", fixed=0),
    _p(r"依申请(?:公开)?[^。；]{0,12}?[:：]\s*无", "old_req_received", "req_new", fixed=0),
    _p(r"未(?:收到|接到|受理)依申请公开(?:件|事项)", "old_req_received", "req_new", fixed=0),
    _p(r"(?:受理|收到|接到)依申请公开(?:申请)?" + NUM + r"(?:件|次|起)", "old_req_received", "req_new"),
    _p(r"(?:发生|共有)依申请公开" + NUM + r"(?:件|次|起)", "old_req_received", "req_new"),
    _p(r"(?:通过)?(?:网络|网上)申请" + NUM + r"件", "old_req_online", None),
    _p(r"(?:通过)?信函申请" + NUM + r"件", "old_req_mail", None),
    _p(r"(?:通过)?当面申请" + NUM + r"件", "old_req_in_person", None),
    _p(r"(?:通过)?传真申请" + NUM + r"件", "old_req_fax", None),
    _p(r"已办结" + NUM + r"件", "old_req_completed", "res_total"),
    _p(r"(?:共)?答复(?:政府信息公开)?申请" + NUM + r"件", "old_req_answered", None),
    _p(r"延期办结" + NUM + r"件", "old_req_extended", None),
    _p(r"上年(?:度)?结转(?:的)?(?:政府信息公开)?申请" + NUM + r"件", None, "req_carried_in"),
    _p(r"(?:答复|办结)(?:办结)?(?:政府信息公开)?申请" + NUM + r"件", "old_req_completed", "res_total"),
    _p(r"按时办结" + NUM + r"件", "old_req_on_time", None),
    _p(NUM + r"件(?:申请)?(?:按照《条例》)?[^。；]{0,8}?顺延到下年度", None, "req_carried_out"),
    _p(r"结转下年度(?:继续办理)?(?:的)?(?:申请)?" + NUM + r"件", None, "req_carried_out"),
    _p(r"属于已主动公开(?:的)?范围(?:的)?" + NUM + r"件", "old_ans_already_public", None),
    _p(r"(?<!不)同意公开(?:答复)?" + NUM + r"件", "old_ans_granted", None),
    _p(r"不同意公开(?:答复)?" + NUM + r"件", "old_ans_denied", None),
    _p(r"(?:非|不属于)本(?:行政)?(?:机关|部门|单位)(?:掌握|公开)(?:范围)?(?:的)?" + NUM + r"件", "old_ans_not_this_agency", None,
       anchors=("本",)),
    _p(r"告知作出更改补充" + NUM + r"件", "old_ans_correction_notice", None),
    _p(r"告知通过其他途径办理" + NUM + r"件", "old_ans_other_channel", None),
    _p(r"同意部分公开(?:答复)?" + NUM + r"件", "old_ans_partial", None),
    _p(r"予以公开(?:答复)?" + NUM + r"件", None, "res_disclosed"),
    _p(r"(?<!予以公开及)部分公开(?:答复)?" + NUM + r"件", None, "res_partial"),
    _p(r"不予公开(?:答复)?" + NUM + r"件", "old_ans_denied", "res_withheld_total"),
    _p(r"无法提供(?:的)?" + NUM + r"件", None, "res_unavailable_total"),
    _p(r"不予处理(?:的)?" + NUM + r"件", None, "res_not_processed_total"),
    _p(r"信息不存在" + NUM + r"件", "old_ans_nonexistent", None),
    # review and litigation (§5 patterns 16, 24)
    _p(r"行政复议(?:案件)?(?:共)?" + NUM + r"(?:件|起)", "old_review_total", "review_total"),
    _p(r"行政诉讼(?:案件)?(?:共)?" + NUM + r"(?:件|起)", "old_litigation_total", "lit_total"),
    _p(r"(?:没有|未|无)(?:发生|涉及)[^。；]{0,30}?行政复议(?:案件|案)?(?:和|、|及|或)", "old_review_total", "review_total", fixed=0),
    _p(r"(?:没有|未|无)(?:发生|涉及)[^。；]{0,40}?行政复议(?:案件|案)?(?:和|、|及|或)(?:提起)?(?:行政)?诉讼", "old_litigation_total", "lit_total", fixed=0),
    _p(r"维持具体行政行为" + NUM + r"件", "old_review_upheld", "review_upheld", requires="复议", excludes="诉讼"),
    _p(r"被依法纠(?:错|正)" + NUM + r"件", "old_review_corrected", "review_corrected", requires="复议", excludes="诉讼"),
    _p(r"其他情形" + NUM + r"件", "old_review_other", "review_other", requires="复议", excludes="诉讼"),
    # the 2019/2021 表四 restated: 行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件
    _p(r"结果维持" + NUM + r"(?:件|起)", None, "review_upheld", requires="复议", excludes="诉讼"),
    _p(r"结果纠正" + NUM + r"(?:件|起)", None, "review_corrected", requires="复议", excludes="诉讼"),
    _p(r"其他结果" + NUM + r"(?:件|起)", None, "review_other", requires="复议", excludes="诉讼"),
    _p(r"尚未审结" + NUM + r"(?:件|起)", None, "review_pending", requires="复议", excludes="诉讼"),
    _p(r"维持具体行政行为(?:或者驳回原告诉讼请求)?" + NUM + r"件", "old_litigation_upheld", None, requires="诉讼"),
    _p(r"被依法纠(?:错|正)" + NUM + r"件", "old_litigation_corrected", None, requires="诉讼"),
    _p(r"其他情形" + NUM + r"件", "old_litigation_other", None, requires="诉讼"),
    # fees (§5 patterns 18, 25)
    _p(r"(?:没有|未)(?:向申请人)?收(?:取)?(?:任何)?(?:政府信息公开)?(?:相关)?费", "old_fees_collected_wan", None, fixed=0,
       anchors=("收", "费")),
    _p(r"未发生[^。；]{0,20}?收费", "old_fees_collected_wan", "info_fee_collected_amount", fixed=0),
    # 信息处理费 is also written 信息公开处理费 and 政府信息公开信息处理费 (上海市人民政府办公厅 2025)
    _p(r"未收取(?:任何)?(?:政府信息公开|信息公开)?(?:信息)?处理费", None, "info_fee_collected_amount", fixed=0),
    _p(r"收取(?:检索|复制|邮寄|、|等)*费用(?:共计|共)?" + NUM + r"(?P<unit>元|万元)", "old_fees_collected_wan", None),
    _p(r"(?:实际)?收取(?:了)?(?:政府信息公开|信息公开)?(?:信息)?处理费(?:用)?(?:共计|共)?" + NUM + r"(?P<unit>元|万元)", None, "info_fee_collected_amount"),
    _p(r"有" + NUM + r"件(?:政府信息公开)?(?:申请)?(?:案件)?收取(?:了)?信息处理费", None, "info_fee_collected_cases"),
    # organisation, meetings, training (§5 patterns 19-22)
    _p(r"从事政府信息公开工作(?:的)?人员(?:共)?" + NUM + r"(?:名|人)", "old_staff_total", None),
    _p(r"专职(?:工作)?人员" + NUM + r"(?:名|人)", "old_staff_fulltime", None),
    _p(r"兼职(?:工作)?人员" + NUM + r"(?:名|人)", "old_staff_parttime", None),
    _p(r"(?:专项)?(?:工作)?经费(?:共)?" + NUM + r"万元", "old_budget_wan", None),
    _p(r"召开[^。，,；]{0,15}?会议(?:共)?" + NUM + r"次", "old_meetings", None),
    _p(r"(?:组织|举办)[^。，,；]{0,15}?培训(?:班|会)?(?:共)?" + NUM + r"(?:次|期)", "old_trainings", None),
    _p(r"培训(?:人员|人)?(?:达|共)?" + NUM + r"人次", "old_trainees", None),
    _p(r"设立(?:了)?" + NUM + r"个[^。，,；]{0,12}?(?:查阅点|受理点)", "old_reading_points", None),
)

_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


_ANCHORS = tuple(sorted({a for p in PATTERNS for a in p.anchors}))
_BY_ANCHORS = tuple((frozenset(p.anchors), p) for p in PATTERNS)
# each pattern listed under one of its anchors (its longest): a sentence only tries the patterns
# filed under the anchors it names
_FILED: dict[str, list[int]] = {}
for _i, _p_ in enumerate(PATTERNS):
    _FILED.setdefault(max(_p_.anchors, key=len), []).append(_i)
del _i, _p_


def _candidates(named: frozenset[str]) -> list[Pattern]:
    """The patterns whose every anchor word the sentence names, in PATTERNS order."""
    hits = [i for a in named for i in _FILED.get(a, ()) if _BY_ANCHORS[i][0] <= named]
    return [PATTERNS[i] for i in sorted(hits)]


def _sentences_by_anchor(text: str) -> list[tuple[str, frozenset[str]]]:
    """The prose sentences that name at least one anchor word, each with the anchor words it names.

    Table rows rendered as text (`label | 1 | 2`) and scraps under four characters are not prose. The
    others are joined, each anchor is looked for once in the join (str.find) and its hits are placed in
    their sentence: a page has ~100 sentences and ~70 anchors but only a few hundred hits."""
    sentences = [s for s in map(str.strip, _SENTENCE.findall(text)) if len(s) >= 4 and " | " not in s]
    if not sentences:
        return []
    starts, pos = [], 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence) + 1
    prose = "\n".join(sentences)  # no anchor holds a newline, so no hit spans two sentences
    named: dict[int, set[str]] = {}
    for anchor in _ANCHORS:
        i = prose.find(anchor)
        while i != -1:
            named.setdefault(bisect_right(starts, i) - 1, set()).add(anchor)
            i = prose.find(anchor, i + 1)
    return [(sentences[k], frozenset(named[k])) for k in sorted(named)]


_SENTENCE_END = "。！？；：!?;:"
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、．]\D)")


def _display_width(line: str) -> int:
    return sum(2 if ch >= "\u2e80" else 1 for ch in line)


def unwrap_lines(text: str) -> str:
    """PDF text breaks a paragraph at the page width (`行政复议 351` / `件，其中…`): a sentence, and a number
    with its unit, are split over lines. A line as wide as the widest lines that ends mid-sentence goes on
    into the next one, unless that one starts an item (一、, （二）, 3.)."""
    lines = text.split("\n")
    widths = [_display_width(line) for line in lines]
    wide = sorted(w for w in widths if w >= 30)
    if len(wide) < 5:
        return text
    full = wide[len(wide) // 2]  # most long lines of a PDF page are full lines of a paragraph
    out = [lines[0]]
    for prev, width, line in zip(lines, widths, lines[1:]):
        if (width >= 0.85 * full and prev and prev[-1] not in _SENTENCE_END and line
                and not _ITEM_START.match(line)):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def prose_text(text: str, media_type: str) -> str:
    """The text sentences are read from: PDF lines unwrapped, other pages as they are (each of their lines
    is a block of the page)."""
    return unwrap_lines(text) if media_type == "application/pdf" else text


def read_narrative(text: str, era: str, cat: Catalogue) -> list[ExtractedValue]:
    modern = era in ("v2019", "v2021")
    if era not in ("v2008", "v2019", "v2021"):
        return []
    found: dict[tuple[str, str | None], ExtractedValue] = {}
    for sentence, named in _sentences_by_anchor(text):
        for pattern in _candidates(named):
            code = pattern.modern if modern else pattern.v2008
            if code is None or code not in cat.indicators or era not in cat.indicators[code].eras:
                continue
            if (pattern.requires and pattern.requires not in sentence) or (
                    pattern.excludes and pattern.excludes in sentence):
                continue
            for m in pattern.regex.finditer(sentence):
                value = float(pattern.fixed) if pattern.fixed is not None else None
                approximate = False
                raw = m.group()
                if value is None:
                    if is_glued_date(m.group("n")):
                        continue
                    value = cn_to_number(m.group("n"))
                    if value is None:
                        continue
                    approximate = bool(m.group("pre") or m.group("post"))
                    unit = m.groupdict().get("unit")
                    target = cat.indicators[code].unit
                    if unit == "元" and target == "万元":
                        value = round(value / 10000, 6)
                    elif unit == "万元" and target == "元":
                        value = value * 10000
                applicant = "total" if cat.indicators[code].has_applicants else None
                key = (code, applicant)
                if key in found:
                    continue  # the first statement of a figure wins; restatements add nothing
                found[key] = ExtractedValue(
                    indicator=code, applicant_type=applicant, value=value, raw_value=raw, raw_label=raw,
                    blank=False, approximate=approximate, source="narrative", evidence=sentence[:300],
                )
    return list(found.values())


def conflicts(values: list[ExtractedValue]) -> list[str]:
    """A prose figure that disagrees with the table (a printed cell, or a subtotal derived from printed cells):
    both are kept; the warning names the conflict."""
    table = {(v.indicator, v.applicant_type): v for v in values if v.source != "narrative" and v.value is not None}
    out = []
    for v in values:
        if v.source != "narrative" or v.approximate:
            continue
        t = table.get((v.indicator, v.applicant_type))
        if t is not None and abs(t.value - v.value) > 1e-9:
            out.append(f"prose and table disagree on {v.indicator}: prose {v.value:g} ({v.raw_value!r}), "
                       f"{t.source} {t.value:g}")
    return out
