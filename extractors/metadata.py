"""Report metadata from the text: the year covered, the agency as the report names it, the date."""
from __future__ import annotations

import re
from datetime import date

_REPORT_TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff·]{2,40}?)\s*(?:关于)?[(（]?\s*(?P<year>(?:19|20)\d{2})\s*年度?[)）]?\s*"
    r"(?:度)?(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:情况)?(?:的)?(?:年度)?(?:工作)?(?:报告|年报)"
)
# words that start a phrase, not a name: 依托|梅河口市政府网站, 通过|渝中区…子网站
_RUN_LEAD = re.compile(r"依托|通过|利用|借助|登录|访问|进入|在|以|于|经由|并|及|、")


class _NameBefore:
    """A name (a run of name characters) right before a fixed tail, found by searching the tail and reading the
    run backwards: the same matches as ``[…]{2,N}?tail`` without trying every start (a lazy head is slow)."""

    def __init__(self, tail: str, maxlen: int, chars: str = "\u4e00-\u9fff", skip_cited: bool = False):
        self.skip_cited = skip_cited
        self.tail = re.compile(tail)
        self.maxlen = maxlen
        self.char = re.compile(f"[{chars}]")

    def finditer(self, text: str):
        for m in self.tail.finditer(text):
            j = m.start()
            while j > 0 and m.start() - j < self.maxlen and self.char.match(text, j - 1):
                j -= 1
            if self.skip_cited and j > 0 and text[j - 1] in "《<":
                continue  # 《福建省人民政府办公厅关于…》: the issuer of a document the report cites
            run = _RUN_LEAD.split(text[j:m.start()])[-1]
            j = m.start() - len(run)
            name = run + (m.group("keep") or "")
            if name.endswith("人民"):  # …人民|政府信息公开…: the tail took the government's 政府
                name += "政府"
            if m.start() - j >= 2:
                yield _Found(name, m.groupdict().get("year"))

    def search(self, text: str):
        return next(self.finditer(text), None)


class _Found:
    def __init__(self, agency: str, year: str | None):
        self._groups = {"agency": agency, "year": year}

    def group(self, name: str):
        return self._groups[name]


# 《工业和信息化部政府信息公开工作2010年度报告》: the year inside
_YEAR_INSIDE = _NameBefore(r"(?P<keep>)(?:政府)?(?:信息公开|政务公开)(?:工作)?(?P<year>(?:19|20)\d{2})\s*年度?(?:报告|年报)", 40,
                           "\u4e00-\u9fff·")
_TITLE_NO_AGENCY = re.compile(r"^\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度)?"
                              r"(?:报告|年报)|年报$)")
# a title run into the first sentence (柞市镇2019年政府信息公开工作年度报告根据《条例》…): the agency must end as
# a body's name does
_BODY_END = re.compile(r"(?:人民政府|政府|办事处|街道|镇|乡|苏木|县|区|旗|市|州|盟|省|局|委员会|委|办公室|办|厅|中心|管委会|"
                       r"管理委员会|院|所|站|队|署|馆|部|处|会|林区|农场)$")
# 2024年上海市科委政府信息公开工作年度报告: the year first, the agency after it (the whole line, a bracketed
# note such as （全文） allowed after it)
_TITLE_YEAR_FIRST = re.compile(
    r"(?P<year>(?:19|20)\d{2})年度?(?P<agency>[\u4e00-\u9fff·]{2,40}?)(?:政府)?(?:信息公开|政务公开)(?:工作)?"
    r"(?:年度)?(?:报告|年报)(?:[(（][^)）]{0,10}[)）])?"
)
_TITLE_TAIL_CHARS = 12  # the second line of a title broken over two (…政府信息公开工作 / 年度报告)
_INTRO_AGENCY = re.compile(
    r"(?:现公布|现将|总结|公布|现发布|发布|编制|编写|现公开|向社会公开)(?:了)?《?(?:[A-Za-z0-9.\-_]{4,40})?(?P<agency>[\u4e00-\u9fff]{2,40}?)(?:[(（]以下简称[^)）]*[)）])?\s*"
    r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?:政府)?信息公开"
)
# 特向社会公布2014年岱山经济开发区管委会政府信息公开工作年度报告: the year first
_INTRO_YEAR_FIRST = re.compile(
    r"(?:公布|现将|编制|发布|编写|向社会公开)(?:了)?《?(?P<year>(?:19|20)\d{2})\s*年度?(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)"
    r"(?:政府|政务)?信息公开")
# 上饶市人民政府根据全市2022年度…编制本报告 / 绍兴市越城区东湖街道特编制2023年…报告: the subject of the sentence
_SUBJECT_COMPILES = re.compile(
    r"(?:^|[。,，;；:：\n])(?P<agency>[\u4e00-\u9fff（）()]{3,40}?)(?:(?:根据|依据|按照)[^。]{0,120}?)?(?:特|特此|现)?"
    r"(?:编制|编写|发布|公布|形成)(?:了)?(?:本|此)?《?(?:(?:19|20)\d{2}年度?)?[^。]{0,30}?报告")
# 2010年,南昌县统计局在县委、县政府的正确领导下… : the first sentence's subject
_YEAR_SUBJECT = re.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?:以来)?\s*[,，]\s*(?P<agency>[\u4e00-\u9fff（）()]{3,30}?)"
    r"(?:在|认真|坚持|高度|按照|根据|深入|始终|进一步|严格|紧紧|紧密|围绕|以|全面|积极|继续|切实|不断|着力|扎实|共|依法|主动|结合|通过|把)")
# 本报告的电子版可在高邑县人民政府网站(www…)下载 / 欢迎进入铜仁市高新区管委会政府网站 / 以青川县门户网站为主要公开平台
_SITE_NAME = re.compile(
    r"(?:电子版可(?:以)?在|可(?:以)?在|欢迎(?:进入|访问|来到)?|以|在|登录|通过)[“《\"]?(?P<agency>[\u4e00-\u9fff（）()]{2,30}?"
    r"(?:人民政府|政府)?)[”》\"]?(?:门户网站|政府网站|门户网|政务网站|政府网|子网站|网站|政务网|(?:政府)?信息公开网|信息网|官网|门户)"
    r"|电子版可(?:以)?在[“《\"](?P<quoted>[\u4e00-\u9fff（）()]{2,30}?)[”》\"]")
# the body's own guide: 《西宁经济技术开发区政府信息公开指南》
_OWN_GUIDE = re.compile(r"《(?P<agency>[\u4e00-\u9fff（）()]{3,30}?)(?:政府信息公开|信息公开|政务公开)(?:指南|目录)》")
# the body's government portal named anywhere: 乌拉特前旗政府网站, 《富县人民政府网》
# …,雅安工业园区管委会认真贯彻落实《条例》: the subject of the sentence that says what the body did
_SUBJECT_ACTS = re.compile(r"[,，。;；\n](?P<agency>[\u4e00-\u9fff（）()]{3,30}?)(?:始终|一直)?(?:认真贯彻|认真落实|高度重视|深入贯彻|严格按照|坚持以)")
# a government the report cites as issuing its rules: 《长沙市政府信息公开工作制度》, 《广东省人民政府关于转发…》
_CITED_GOV = re.compile(r"《(?P<agency>[\u4e00-\u9fff]{2,20}?(?:人民政府|政府))(?:办公厅|办公室)?(?:关于|印发|转发|信息公开)")
_BARE_GOVERNMENT = re.compile(r"^(?:[省市县区旗镇乡]|自治区)(?:人民)?政府$")  # 在省政府网站: a superior, unnamed
_NOT_A_SITE = re.compile(r"^(?:中华人民共和国|中国|国务院|中央)|[网及、与或]")
_GOV_SITE = _NameBefore(r"(?P<keep>人民政府|政府)[”》\"]?(?:门户网站|门户网|网站|网)", 20)
_PERIOD = re.compile(r"统计(?:期限|周期|时限|区间|时间|时段|期间|范围)[^。]{0,12}?(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_YEAR_IN_TEXT = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?[,，]?\s*(?:我|本|全)")
# 现将本机关2019年度政府信息公开工作情况报告如下 / 特向社会公布2019年…
_INTRO_YEAR = re.compile(r"(?:现将|现公布|向社会公布|予以公布|公布)(?:本(?:机关|单位|部门|局|委|办|镇|乡|街道|县|区|市))?《?"
                         r"(?P<year>(?:19|20)\d{2})\s*年度?(?:政府|政务)?信息公开")
# the statistics period however it is worded: 自2019年1月1日起至2019年12月31日止, 2019年1月1日至12月31日
_YEAR_SPAN = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|~)\s*"
                        r"(?:(?P=year)\s*年\s*)?12\s*月\s*31\s*日")
# a year opening the first sentence: 2024年，某某区人民政府… (a line of its own, near the top)
_YEAR_OPENING = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年(?:度)?\s*(?:[,，]+|以来)\s*[\u4e00-\u9fff]")
# 2008年主要工作情况如下 / 截至2013年底
_YEAR_WORK = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?(?:的)?(?:主要)?(?:政府信息公开|信息公开)?工作(?:开展)?情况(?:报告)?如下"
                        r"|截至(?P<year2>(?:19|20)\d{2})\s*年(?:底|末|12月31日)")
_REPORT_SECTIONS = re.compile(r"[一二]、\s*(?:总体情况|概述|基本情况)[\s\S]{0,3000}?(?:主动公开|依申请公开)")
_SENTENCE_YEAR = re.compile(r"(?:^|[。\n])\s*(?:[(（][一二三四五六七八九十]+[)）][^。\n]{0,20}?。)?\s*"
                            r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?\s*[,，]")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_ANNUAL_REPORT = re.compile(r"年度报告|年报|年度工作报告")
_NOT_A_NAME = re.compile(r"^(?:我|本|全|现|根据|按照|依据|为|关于|经|在|对|特|向|此|该|其|各|并|和|及|由|年度|年)"
                         r"|(?:现将|根据|按照|工作(?!领导小组|委员会|办公室|站|部)|情况|报告|编制|公布|我|采用|通过|利用|依托|各级|上级)"
                         r"|^(?:[省市县区旗镇乡]委|党委)|委[省市县区旗镇乡]?(?:人民)?政府"
                         r"|(?:社会|公众|群众)$")
_CONTACT_AGENCY = re.compile(r"(?:联系方式|主办单位|发布机构|发布单位)\s*[:：]\s*(?P<agency>[\u4e00-\u9fff]{2,30}?(?:人民政府|办事处|局|委员会|办公室|中心))")
_NOISE_PREFIX = re.compile(r"^(?:关于|印发|发布|公开|当前位置|首页|政府信息公开|做好|报送|编制|组织)+")
# Mirror / SEO-spam hosts write gambling ads into agency names (formats.md §7.T: 新葡京博彩官网区人民政府北京街道
# 办事处). The name keeps what follows the last ad word; a level word left without its name (区人民政府 whose
# 越秀 the ad replaced) goes too when an agency name follows it. 体育 and 彩票 are not here: 体育局 and
# 福利彩票发行中心 are agencies.
_SPAM_WORD = re.compile(r"比分直播|买足球|买球|欧洲杯|世界杯|投注|博彩|葡京|官网|百家乐|娱乐城|赌场|棋牌")
_NAMELESS_LEVEL = re.compile(r"^(?:[省市区县]|自治[区州县])(?:人民政府)?(?=[\u4e00-\u9fff]{2,}(?:街道办事处|街道|镇人民政府|"
                             r"乡人民政府|镇|乡|办事处)$)")

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_PATTERNS = (
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<y>[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"),
)
_STANDALONE_DATE = 40  # a line this short holding a date is a date line, not a sentence


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if all(ch in _CN_DIGITS for ch in s) and "十" not in s:
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int(s)


def parse_date(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m:
            try:
                return date(_cn_number(m.group("y")), _cn_number(m.group("m")), _cn_number(m.group("d")))
            except ValueError:
                continue
    return None


def find_title(lines: list[str], html_title: str | None = None) -> tuple[str | None, int | None, int | None]:
    """(agency, year, line index) of the report title in the body, joining a title split over two
    lines; the HTML <title> (index None) when the body has none."""
    found = _title_in(lines)
    if found[2] is None and html_title:
        agency, year, _ = _title_in([html_title])
        return agency, year, None
    return found


def _name_beside(lines: list[str], i: int) -> str | None:
    """A generic title (2019年度政府信息公开年度报告) with the body's name on a line of its own just after it,
    or just before a repetition of the title (衡阳市国资委 / 2019年度…)."""
    for j in range(i + 1, min(i + 8, len(lines))):
        line = re.sub(r"\s+", "", lines[j])
        if re.fullmatch(r"[\u4e00-\u9fff（）()]{3,30}", line) and _BODY_END.search(line) \
                and not _NOT_A_NAME.search(line) and not _SPAM_WORD.search(line):
            return line
        if len(line) > 60:
            break
    return None


def _title_in(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    for i, line in enumerate(lines[:120]):
        compact = re.sub(r"\s+", "", line)
        m = _REPORT_TITLE.search(compact)
        if m and len(compact) <= 50:
            return _clean_agency(m.group("agency")), int(m.group("year")), i
        if m and m.start() == 0 and m.end() <= 50 and _BODY_END.search(m.group("agency")) \
                and not _NOT_A_NAME.search(m.group("agency")):
            return _clean_agency(m.group("agency")), int(m.group("year")), i
        m = _TITLE_NO_AGENCY.match(compact)
        if m:
            prev = re.sub(r"\s+", "", lines[i - 1]) if i else ""
            agency = prev if 2 <= len(prev) <= 30 and re.fullmatch(r"[\u4e00-\u9fff]+", prev) else None
            if agency is None or _SPAM_WORD.search(agency):
                agency = _name_beside(lines, i)
            return agency, int(m.group("year")), i
        if compact[:2] in ("19", "20"):  # a title with the year first, maybe broken over two lines
            tail = re.sub(r"\s+", "", lines[i + 1]) if i + 1 < len(lines) else ""
            for candidate in (compact, compact + tail if len(tail) <= _TITLE_TAIL_CHARS else None):
                m = _TITLE_YEAR_FIRST.fullmatch(candidate) if candidate and len(candidate) <= 50 else None
                if m:
                    return _clean_agency(m.group("agency")), int(m.group("year")), i
    return None, None, None


# formats.md §7.S: a page about a report (图解, 文字解读, a tool's comparison of two years' reports) restates its
# figures and so reads like one; its own title says what it is.
_ABOUT_A_REPORT = re.compile(r"解读|图解|读懂|比对|对比")
_REPORT_WORD = re.compile(r"年度报告|年报")
_TITLE_SUFFIX = re.compile(r"[_|｜]| - ")  # <title>: the page's own title, then the channel and the site
_MAX_TITLE_CHARS = 50


def about_a_report(lines: list[str], title_index: int | None, html_title: str | None) -> str | None:
    """The title of a companion page (图解：…年度报告, 《…年度报告》解读, 年报比对), else None. Read from the
    report title found in the body, the page's <title> and the first lines of a document with no site chrome."""
    candidates = [lines[title_index]] if title_index is not None else []
    if html_title:
        candidates.append(_TITLE_SUFFIX.split(html_title, maxsplit=1)[0])
    else:
        candidates.extend(lines[:3])
    for line in candidates:  # a title is short: the intro's 本报告由…解读回应情况…组成 is not one
        if len(line) <= _MAX_TITLE_CHARS and _ABOUT_A_REPORT.search(line) and _REPORT_WORD.search(line):
            return line
    return None


def _clean_agency(name: str) -> str | None:
    name = _NOISE_PREFIX.sub("", name.strip("（）() "))
    after_ads = _SPAM_WORD.split(name)
    if len(after_ads) > 1:
        name = _NAMELESS_LEVEL.sub("", after_ads[-1])
    return name or None


def find_year(text: str, title_year: int | None) -> int | None:
    """The title's year; else the intro's (现公布X2019年…, 现将2019年度…), the statistics period's, a year
    opening the first sentence (2024年，…) or one before 我/本/全."""
    if title_year:
        return title_year
    head = text[:6000]
    # without a heading, the statistics period says what the figures cover: an intro citing its own title
    # is the line most often copied from last year's report
    for pattern in (_PERIOD, _YEAR_SPAN, _INTRO_AGENCY, _INTRO_YEAR, _INTRO_YEAR_FIRST):
        m = pattern.search(head)
        if m:
            return int(m.group("year"))
    for line in head.splitlines()[:60]:
        m = _YEAR_OPENING.match(line.strip())
        if m:
            return int(m.group("year"))
    for pattern in (_PERIOD, _YEAR_SPAN, _YEAR_IN_TEXT):
        m = pattern.search(text)
        if m:
            return int(m.group("year"))
    m = _YEAR_WORK.search(head)
    if m:
        return int(m.group("year") or m.group("year2"))
    # an annual report that prints one year only, at least twice (2016年,市公安局… / 于2016年6月试运行)
    years = [int(y) for y in _ANY_YEAR.findall(head)]
    if len(years) >= 2 and len(set(years)) == 1 and _ANNUAL_REPORT.search(head):
        return years[0]
    # a report's sections (一、总体情况 … 主动公开) and a sentence opening with a year (…管理。2023年,深入推进…)
    if _REPORT_SECTIONS.search(head):
        m = _SENTENCE_YEAR.search(head)
        if m:
            return int(m.group("year"))
    return None


def find_agency(text: str, title_agency: str | None) -> str | None:
    """The intro sentence names the agency most fully (现公布随县人民政府…); then the title; then contacts."""
    m = _INTRO_AGENCY.search(text[:3000])
    if m:
        name = _clean_agency(m.group("agency"))
        if name and not _NOT_A_NAME.search(name):
            return name
    m = _INTRO_YEAR_FIRST.search(text[:3000])
    if m and _plausible_name(m.group("agency")):
        return _plausible_name(m.group("agency"))
    if title_agency and _BODY_END.search(title_agency):
        return title_agency
    m = _CONTACT_AGENCY.search(text)
    if m and _clean_agency(m.group("agency")):
        return _clean_agency(m.group("agency"))
    names = agency_names(text, None)
    # a title naming no body (a mirror's own name: 某某资讯网2019年…) gives way to a name the report gives itself
    return names[0] if names else title_agency


# ---------------------------------------------------------------- every place a report names itself (formats.md §7.W)
_NAME = r"[\u4e00-\u9fff（）()]{2,40}?"
_COMPILED_BY = re.compile(r"由(?P<agency>" + _NAME + r")(?:负责|牵头|组织)?(?:(?:根据|依据|按照)[^。]{0,160}?)?"
                          r"(?:编制|编写|起草|编撰|撰写|制作|汇总)")
_ASK = re.compile(r"请(?:与|向|联系|联络|致电|咨询)[:：]?(?P<agency>" + _NAME + r")(?:联系|联络|咨询|反映|提出|查询|[,，。;；(（:：])")
_GOV_OFFICE = _NameBefore(r"(?P<keep>人民政府办公(?:室|厅))", 30, skip_cited=True)
_SIGNATURE_LINE = re.compile(r"^(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)\s*(?P<date>(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年.*)?$")
_SELF_REFERENCE = re.compile(r"(?:我|本)(?P<ref>镇|乡|街道|苏木|旗|县|区|市|州|盟|省|局|委|办|厅|中心|院|所|站|管委会|机关)"
                             r"(?![\u4e00-\u9fff]{0,1}(?:人民政府|政府信息公开工作年度报告))")
_NAME_WORD = re.compile(r"[\u4e00-\u9fff]")
_TRIGGER_PREFIX = re.compile(r"^(?:特?向社会)?现?(?:发布|公布|编制|印发|总结)(?:了)?")
_SITE_TAIL = re.compile(r"(?:政府信息公开|信息公开|政务公开|政务服务)$")
_OFFICE_TAIL = re.compile(r"(?:(?<=人民政府)|(?<=办事处)|(?<=管委会))(?:党政办公室|党政办|办公室|政务公开办公室|综合办公室|党政综合办公室)$")


def _plausible_name(name: str | None) -> str | None:
    """A body's name, not a self-reference (我局, 本机关) nor a phrase."""
    if not name:
        return None
    name = _clean_agency(name)
    if not name or len(name) < 3 or _NOT_A_NAME.search(name) or not _BODY_END.search(name):
        return None
    return name


def _signature(lines: list[str]) -> str | None:
    """The signature at the end: a name on its own line above the date (or with it on one line)."""
    tail = [ln.strip() for ln in lines[-25:] if ln.strip()]
    for i in range(len(tail) - 1, -1, -1):
        line = re.sub(r"\s+", "", tail[i])
        if len(line) > 45:
            continue
        m = _SIGNATURE_LINE.match(line)
        if not m:
            continue
        if m.group("date") and parse_date(m.group("date")) and _plausible_name(m.group("agency")):
            return _plausible_name(m.group("agency"))
        nxt = re.sub(r"\s+", "", tail[i + 1]) if i + 1 < len(tail) else ""
        if not m.group("date") and nxt and len(nxt) <= 20 and parse_date(nxt) and _plausible_name(line):
            return _plausible_name(line)
    return None


def agency_names(text: str, title_agency: str | None, lines: list[str] | None = None) -> list[str]:
    """Every name the report gives itself, most telling first: the intro (现公布X…年度报告), the title, 由X编制,
    the signature, the contacts (发布机构, 主办单位), 请与X联系, X人民政府办公室. Duplicates dropped."""
    lines = text.splitlines() if lines is None else lines
    head = text[:4000]
    found: list[str | None] = []
    m = _INTRO_AGENCY.search(head)
    found.append(_plausible_name(m.group("agency")) if m else None)
    m = _INTRO_YEAR_FIRST.search(head)
    found.append(_plausible_name(m.group("agency")) if m else None)
    m = _YEAR_INSIDE.search(head)
    found.append(_plausible_name(_TRIGGER_PREFIX.sub("", m.group("agency"))) if m else None)
    found.append(title_agency)
    found += [_plausible_name(m.group("agency")) for m in _SUBJECT_COMPILES.finditer(head)]
    for line in head.splitlines()[:80]:
        m = _YEAR_SUBJECT.match(line.strip())
        if m:
            found.append(_plausible_name(m.group("agency")))
    found += [_plausible_name(m.group("agency")) for m in _SUBJECT_ACTS.finditer(head)]
    found += [_plausible_name(m.group("agency")) for m in _COMPILED_BY.finditer(text)]
    found.append(_signature(lines))
    m = _CONTACT_AGENCY.search(text)
    found.append(_clean_agency(m.group("agency")) if m else None)
    found += [_plausible_name(_OFFICE_TAIL.sub("", m.group("agency"))) for m in _ASK.finditer(text)]
    m = _GOV_OFFICE.search(head)
    found.append(_plausible_name(m.group("agency")) if m else None)
    found += [n for m in _SITE_NAME.finditer(text)
              if (n := _plausible_name(_SITE_TAIL.sub("", m.group("agency") or m.group("quoted"))))
              and not _NOT_A_SITE.search(n) and not _BARE_GOVERNMENT.match(n)]
    found += [_plausible_name(m.group("agency")) for m in _OWN_GUIDE.finditer(text)]
    out: list[str] = []
    for name in found:
        if not name or name in out:
            continue
        # the fuller spelling of a name already found takes its place (工业园区管委会 → 雅安工业园区管委会)
        shorter = [k for k, o in enumerate(out) if name.endswith(o) and len(name) > len(o)]
        if shorter:
            out[shorter[0]] = name
            continue
        if any(o.endswith(name) for o in out):
            continue
        out.append(name)
    return out


def copy_site(text: str) -> str | None:
    """The body whose site holds the electronic copy (本报告的电子版可在“龙湾区政府信息公开”…下载)."""
    for m in _SITE_NAME.finditer(text[:6000]):
        if m.group(0).startswith("电子版") and (m.group("agency") or m.group("quoted")):
            return _plausible_name(_SITE_TAIL.sub("", m.group("agency") or m.group("quoted")))
    return None


def site_names(text: str) -> list[str]:
    """The government portals a page names (乌拉特前旗政府网站, 《富县人民政府网》): weaker than a self-name
    (a report also cites its superior's and other bodies' sites), used only to place a body its own names
    leave unplaced."""
    out: list[str] = []
    for m in (*_GOV_SITE.finditer(text), *_CITED_GOV.finditer(text)):
        name = _plausible_name(_TRIGGER_PREFIX.sub("", m.group("agency")))
        if name and _NOT_A_SITE.search(name):
            continue
        if name and name not in out:
            out.append(name)
    return out


def self_reference(text: str) -> str | None:
    """What the report calls itself when it does not name itself: 镇 for 我镇, 局 for 我局, 机关 for 本机关
    (the most frequent in the first part of the text)."""
    refs = [m.group("ref") for m in _SELF_REFERENCE.finditer(text[:6000])]
    if not refs:
        return None
    return max(set(refs), key=lambda r: (refs.count(r), -refs.index(r)))


def _signature_date(text: str, agency: str | None, ok) -> date | None:
    """The signature block run into one line: …龙潭区退役军人事务局二〇一八年一月六日 分享到…"""
    if not agency:
        return None
    for m in reversed(list(re.finditer(re.escape(agency), text))):
        window = text[m.end():m.end() + 20].lstrip()
        if window[:1] in "12二〇○" :  # the date follows the name directly
            d = parse_date(window)
            if ok(d):
                return d
    return None


def find_published_on(lines: list[str], title_index: int | None, year: int | None,
                      agency: str | None = None) -> date | None:
    """A date standing alone on a line near the title (the page's release date), else the last
    date line of the report (the signature). Dates before the covered year are not release dates."""
    def ok(d: date | None) -> bool:
        return d is not None and (year is None or d.year >= year)

    start = title_index if title_index is not None else 0
    for line in lines[max(0, start - 3):start + 10]:
        m = _LABELLED_DATE.search(line)
        if m:
            d = parse_date(m.group("rest"))
            if ok(d):
                return d
    for line in lines[start:start + 6]:
        if len(line) <= _STANDALONE_DATE and not _NOT_RELEASE.search(line):
            d = parse_date(line)
            if ok(d):
                return d
    for line in reversed(lines):
        if len(line) <= _STANDALONE_DATE and not _NOT_RELEASE.search(line):
            d = parse_date(line)
            if ok(d):
                return d
    text = "\n".join(lines)
    m = _AFTER_TITLE.search(text)  # …年度报告 来源：… （2015年1 月3 日） run into one line
    if m and ok(parse_date(m.group("rest"))):
        return parse_date(m.group("rest"))
    return _signature_date(text, agency, ok)


_AFTER_TITLE = re.compile(r"年度报告[^。\n]{0,80}?(?:[（(]|发布时间[:：]|发布日期[:：])\s*(?P<rest>[0-9〇零○一二三四五六七八九]{4}\s*[年\-/.][^)）]{0,14})")
_LABELLED_DATE = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|印发日期|公开日期|日期)\s*[:：]\s*(?P<rest>.{6,24})")
# dates that are not the report's: the site's clock, the statistics period, copyright lines
_NOT_RELEASE = re.compile(r"今天|当前时间|统计|期限|至|©|版权|访问")


_KINDS = (
    ("street_office", re.compile(r"街道(?:办事处)?$|街道办$")),
    ("township_government", re.compile(r"(?:镇|乡)(?:人民政府|政府)?$")),
    ("provincial_government", re.compile(r"^[\u4e00-\u9fff]{2,3}(?:省|自治区)(?:人民政府)?(?:办公厅)?$")),
    ("county_government", re.compile(r"(?:县|区|旗)(?:人民政府|政府)(?:办公室)?$|(?:县|区|旗)$")),
    ("prefecture_government", re.compile(r"市(?:人民政府|政府)(?:办公室|办公厅)?$|州(?:人民政府)$")),
    ("department", re.compile(r"(?:局|委员会|委|办公室|中心|厅|署|所|站|院|馆|队)$")),
)


def agency_kind(name: str | None) -> str | None:
    """A first classification by suffix; the gazetteer refines county-level cities and departments."""
    if not name:
        return None
    for kind, pattern in _KINDS:
        if pattern.search(name):
            return kind
    return "other"


# ---------------------------------------------------------------- gazetteer clues
_FOOTER = re.compile(r"主办单位\s*[:：]\s*(?P<v>[\u4e00-\u9fff（）()]{2,40})")
_ADDRESS = re.compile(r"(?:地址|通讯地址|联系地址)\s*[:：]\s*(?P<v>[\u4e00-\u9fff0-9\-号路街道镇乡村巷弄栋楼室（）()]{4,60})")
# The phone / postcode / ICP clue patterns, in one place (extractors.gazetteer.resolver imports them):
# labelled in a page's text (find_clues) ...
PHONE_CLUE = re.compile(r"(?:电话|联系电话|咨询电话|传真)\s*[:：]?\s*(?P<v>[(（]?0\d{2,3}[)）]?[\-—\s]?\d{7,8}|\d{7,8})")
POSTCODE_CLUE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(?P<v>\d{6})(?!\d)")
ICP_CLUE = re.compile(r"(?P<v>[\u4e00-\u9fff])ICP备\s*\d{6,10}号")
# ... labelled in a normalised footer (the resolver's fallback when no clue was given) ...
FOOTER_PHONE = re.compile(r"(?:电话|联系电话|咨询电话|Tel|TEL)[:]?((?:\+?86)?[-(]?0\d{2,3}[-)]?\d{7,8})")
FOOTER_POSTCODE = re.compile(r"(?:邮编|邮政编码)[:]?(\d{6})(?!\d)")
# ... and read out of a clue's value: the area code and number, the six digits, the province abbreviation
PHONE_VALUE = re.compile(r"(?:\+?86|0086)?[-\s]*\(?(0\d{2,3})\)?[-\s]*(\d{7,8})(?!\d)")
POSTCODE_VALUE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
ICP_VALUE = re.compile(r"([\u4e00-\u9fff])ICP", re.IGNORECASE)


_INDEX_CODE = re.compile(r"索引号\s*[:：|]?\s*\|?\s*(?P<v>\d{6})(?=\d{3}(?!\d)|[^\d]|$)")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])(?:11|12|13|19)(?P<v>\d{6})[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY](?![0-9A-Z])")


def division_code_clue(text: str) -> str | None:
    """The 6-digit division code a page's 索引号 (620702081/2026-00007) or an agency's unified social credit
    code (11370828004431350G: positions 3–8) carries, when it looks like one (not 000000)."""
    for pattern in (_INDEX_CODE, _CREDIT_CODE):
        if pattern is _CREDIT_CODE and "代码" not in text[:8000] and "索引号" not in text[:8000]:
            continue
        m = pattern.search(text[:8000])
        if m and 11 <= int(m.group("v")[:2]) <= 65:
            return m.group("v")
    return None


def find_clues(text: str) -> dict[str, str | None]:
    """The hints a gazetteer needs besides the name: footer 主办单位, address, phone, postcode, ICP number."""
    def first(pattern: re.Pattern) -> str | None:
        m = pattern.search(text)
        return m.group("v").strip() if m else None

    icp = ICP_CLUE.search(text)
    return {
        "footer": first(_FOOTER),
        "address": first(_ADDRESS),
        "phone": first(PHONE_CLUE),
        "postcode": first(POSTCODE_CLUE),
        "icp": icp.group(0) if icp else None,
    }
