"""Prose: headings, boilerplate, the §5 sentence patterns that state figures, decoy numbers, dates.

Every template is written in simplified Chinese with ``{}`` placeholders and goes through ``ctx.t`` (a cached
s2t conversion for traditional-script reports) *before* numbers are inserted, so conversion is paid once per
template, never per report.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from random import Random

from synthetic.spec import prose_name

ZH_DIGITS = "〇一二三四五六七八九"
_ZH = "零一二三四五六七八九"


def zh_number(n: int, liang: bool = False) -> str:
    """0–99 in Chinese numerals (十二, 二十三); 两 for 2 before a measure word when asked."""
    if n == 2 and liang:
        return "两"
    if n < 10:
        return _ZH[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH[tens]) + "十" + (_ZH[ones] if ones else "")


def date_text(d: dt.date, style: str) -> str:
    if style == "iso":
        return d.isoformat()
    if style == "pad":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "spaced":
        return f"{d.year}年{d.month} 月{d.day} 日"
    if style == "zh":
        return "".join(ZH_DIGITS[int(c)] for c in str(d.year)) + f"年{zh_number(d.month)}月{zh_number(d.day)}日"
    return f"{d.year}年{d.month}月{d.day}日"


# ---- headings (formats.md §4) ----------------------------------------------------------------------------
HEADINGS_NEW = (
    ("总体情况", "总体情况", "总体情况", "总体概述", "工作基本情况"),
    ("主动公开政府信息情况", "主动公开政府信息情况", "主动公开信息情况", "行政机关主动公开政府信息情况"),
    ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请情况", "行政机关收到和处理政府信息公开申请情况",
     "收到和处理政府信息公开申请的情况"),
    ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议和行政诉讼情况",
     "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    ("存在的主要问题及改进情况", "存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况",
     "存在问题及改进情况", "存在的问题及改进情况"),
    ("其他需要报告的事项", "其他需要报告的事项", "其它需要报告事项"),
)
HEADINGS_OLD = {
    "overview": ("概述", "概述", "主要工作概述", "基本工作情况", "政府信息公开工作的基本概况", "政府信息公开总体工作情况"),
    "active": ("主动公开政府信息情况", "主动公开政府信息的情况", "主动公开情况", "主动公开内容和方式",
               "政府信息公开的内容及公开方式"),
    "response": ("回应解读情况", "解读回应情况", "政策解读和回应关切情况"),
    "requests": ("依申请公开政府信息情况", "依申请公开政府信息和不予公开政府信息的情况", "政府信息依申请公开办理情况",
                 "依申请公开政府信息受理情况"),
    "consult": ("咨询处理情况", "政府信息公开咨询处理情况"),
    "fees": ("政府信息公开的收费及减免情况", "收费及减免情况", "政府信息公开相关收费及减免情况", "公开收费情况"),
    "review": ("因政府信息公开申请行政复议、提起行政诉讼的情况", "行政复议和行政诉讼情况", "复议、诉讼和申诉情况",
               "申请行政复议和提起行政诉讼情况"),
    "org": ("机构建设和经费保障情况", "机构建设、保障经费和培训会议情况", "政府信息公开工作机构、人员情况"),
    "meetings": ("政府信息公开会议和培训情况",),
    "problems": ("存在的主要问题及改进措施", "存在问题及改进措施", "主要问题和改进措施", "存在问题及工作打算",
                 "存在的主要问题及下步工作安排"),
    "other": ("其他需要报告的事项", "其他需要报告的事项"),
    "annex": ("附表", "附表", "政府信息公开情况统计表", "附件"),
}
ORDINALS = "一二三四五六七八九十"


def ordinal(i: int) -> str:
    return ORDINALS[i] if i < 10 else "十" + ORDINALS[i - 10]


# ---- boilerplate without figures ---------------------------------------------------------------------------
FILLER = {
    "overview": (
        "{year}年，{we}在上级党委、政府的正确领导下，认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，不断深化政务公开，提升公开质效。",
        "{we}高度重视政府信息公开工作，成立了由主要领导任组长、分管领导任副组长的政务公开工作领导小组，明确专人负责日常工作，形成了主要领导亲自抓、分管领导具体抓、工作人员抓落实的工作格局。",
        "严格落实信息发布保密审查制度，按照“谁公开、谁审查、谁负责”和“先审查、后公开”的原则，确保公开信息不涉密、涉密信息不公开。",
        "进一步健全政府信息公开工作机制，完善主动公开、依申请公开、保密审查、考核评议等制度，推动政府信息公开工作制度化、规范化。",
        "围绕群众关注的热点难点问题，及时准确发布权威信息，切实保障人民群众的知情权、参与权、表达权和监督权。",
        "坚持把政务公开工作纳入年度重点工作，定期研究部署，及时解决工作中遇到的困难和问题。",
    ),
    "active": (
        "重点做好财政预决算、重大建设项目、公共资源配置、社会公益事业建设等领域信息公开，及时更新机构职能、领导分工等基础信息。",
        "依托政府门户网站、政务新媒体、政务公开栏等渠道，及时发布各类政府信息，方便群众查询。",
        "对涉及群众切身利益的惠民政策，通过村（居）务公开栏、微信群等形式进行广泛宣传，做到家喻户晓。",
    ),
    "requests": (
        "严格按照《条例》规定的时限和程序办理政府信息公开申请，做到依法、及时、准确答复。",
        "进一步规范依申请公开工作流程，畅通受理渠道，完善登记、审核、答复、归档等环节。",
    ),
    "platform": (
        "加强政府网站和政务新媒体建设管理，落实专人负责信息采集、审核发布和更新维护，确保平台安全稳定运行。",
        "规范政务公开专区建设，配备查阅设备，为群众提供政府信息查询、政策咨询等服务。",
    ),
    "supervision": (
        "将政务公开工作纳入年度绩效考核，定期开展自查自纠，对发现的问题及时整改到位。",
        "加强业务培训，组织工作人员学习《条例》及相关政策，提升政务公开工作人员的业务能力。",
    ),
    "problems": (
        "一是公开内容还不够全面，部分信息更新不够及时；二是政策解读形式较为单一，解读质量有待提升；三是工作人员业务水平还需进一步提高。",
        "{year}年，{we}政府信息公开工作虽取得一定成效，但也存在一些不足：主动公开的意识有待进一步增强，公开的深度和广度还需拓展，信息公开的规范性有待提高。",
        "下一步，{we}将进一步加强组织领导，完善工作机制，拓宽公开渠道，强化政策解读和回应关切，加强业务培训，切实提升政府信息公开工作水平。",
        "针对上述问题，{we}将认真对照上级要求，查漏补缺，进一步规范公开内容，提高公开质量，推动政府信息公开工作再上新台阶。",
    ),
    "consult": (
        "及时处理公民对相关政策的咨询，做到详细准确的回答，确保不出现二次咨询。",
    ),
    "nothing": ("无。", "无。", "本单位无其他需要报告的事项。", "无其他需要报告的事项。"),
}
CATEGORIES = ("机构概况", "政策法规", "工作动态", "规划计划", "财政信息", "人事信息", "民生保障")

# Sentences that look like a figure or a zero statement and are neither (formats.md §5 #27; issue 13): a qualified
# negation (未出现因…的情况, 未发生…引发的…), another subject (行政许可, the 12345 hotline, 投诉). They state no figure.
QUALIFIED_DECOYS = {
    "requests": (
        "未收到针对政府信息公开申请答复的投诉。",
        "未发生因依申请公开办理不当引发的投诉举报情况。",
        "未收到政府信息公开申请人的投诉举报。",
        "全年共受理行政许可申请{n}件，办结{n}件。",
    ),
    "review": (
        "未出现因答复不及时被申请行政复议的情况。",
        "未发生因政府信息公开引发的群体性事件和舆情。",
        "未出现因答复不及时被申请行政复议和提起行政诉讼的情况。",
    ),
    "fees": ("全年未发生乱收费现象。", "截至目前，未发生政务信息公开有关收费产生的问题。"),
}


class Writer:
    """Builds the prose of one report and records the figures it states."""

    def __init__(self, rng: Random, t, we: str, year: int, values: dict, *, statable, force=(),
                 allow_approx: bool = False, agency_t: str = "", phone: str = "", prov_abbr: str = ""):
        self.rng, self.t, self.we, self.year, self.v = rng, t, we, year, values
        self.statable = statable
        self.force = set(force)
        self.allow_approx = allow_approx
        self.agency = agency_t
        self.phone = phone
        self.prov_abbr = prov_abbr
        self.expected: dict = {}
        self.approximate: set = set()
        # decoys draw from their own generator (seeded from the report's state, which it leaves untouched)
        self.decoy_rng = Random(repr(rng.getstate()[1][:8]))

    # -- numbers --------------------------------------------------------------------------------------------
    def num(self, n, unit: str = "", liang: bool = False) -> str:
        r = self.rng.random()
        if isinstance(n, Decimal):
            s = format(n, "f")
        elif 0 < n < 100 and r < 0.12:
            s = self.t(zh_number(n, liang=liang and unit in ("次", "名", "个", "件", "人")))
        elif n >= 1000 and r < 0.2:
            s = f"{n:,}"
        elif r > 0.95:
            s = f"{n} "     # PDF text: a space before the unit
        else:
            s = str(n)
        return s + (self.t(unit) if unit else "")

    def approx(self, code: str, n: int, unit: str) -> str:
        """A rounded figure (180余条, 约180条, 近200条) recorded as approximate."""
        base = 100 if n >= 1000 else 10
        style = self.rng.choice(("余", "多", "约", "近"))
        if style == "近":
            stated = -(-n // base) * base
            text = self.t("近") + f"{stated}" + self.t(unit)
        else:
            stated = n // base * base
            text = (self.t("约") + f"{stated}" + self.t(unit)) if style == "约" else f"{stated}" + self.t(style + unit)
        self.expected[(code, None)] = stated
        self.approximate.add((code, None))
        return text

    def state(self, code: str, app=None, unit: str = "", liang: bool = False) -> str:
        n = self.v[(code, app)]
        self.expected[(code, app)] = n
        return self.num(n, unit, liang)

    def can(self, *codes, app=None) -> bool:
        return all((c, app) in self.v and self.statable(c, app) for c in codes)

    def forced(self, *codes) -> bool:
        return any(c in self.force for c in codes)

    def fill(self, key: str) -> str:
        return self.t(self.rng.choice(FILLER[key])).format(we=self.t(self.we), year=self.year)

    def fills(self, key: str, k: int) -> list[str]:
        pool = FILLER[key]
        picks = self.rng.sample(range(len(pool)), min(k, len(pool)))
        return [self.t(pool[i]).format(we=self.t(self.we), year=self.year) for i in picks]

    # -- decoys ---------------------------------------------------------------------------------------------
    def decoy(self) -> str:
        r = self.rng
        t = self.t
        k = r.randrange(5)
        if k == 0:
            n = r.randint(5, 400)
            return t("全年通过12345政务服务便民热线受理群众诉求{}件，办结{}件，办结率100%。").format(n, n)
        if k == 1:
            return t("政府网站全年访问量达{}万人次，同比增长{}%。").format(r.randint(2, 90), r.randint(1, 40) + r.randint(0, 9) / 10)
        if k == 2:
            return t("按照《{}政府办公厅关于做好{}年政务公开工作的通知》（{}政办发〔{}〕{}号）要求，认真抓好各项任务落实。").format(
                t(self.prov_abbr) if self.prov_abbr else t("省"), self.year, t(self.prov_abbr or "省"), self.year, r.randint(3, 120))
        if k == 3:
            return t("群众满意度达{}%，较上年提高{}个百分点。").format(r.randint(90, 99), r.randint(1, 5))
        return t("如有疑问，可拨打咨询电话{}（工作日上午8:30—12:00，下午14:30—17:30）。").format(self.phone)

    def with_decoy(self, topic: str, sentences: list[str]) -> list[str]:
        """Now and then a sentence that a careless reader takes for a figure (it states none), before or after the
        sentences that state them."""
        r = self.decoy_rng
        if r.random() >= 0.35:
            return sentences
        decoy = [self.t(r.choice(QUALIFIED_DECOYS[topic])).format(n=r.randint(20, 900))]
        return decoy + sentences if r.random() < 0.5 else sentences + decoy

    # -- v2008 sentences -----------------------------------------------------------------------------------------
    def old_active(self, names) -> list[str]:
        out = []
        t, r = self.t, self.rng
        if self.can("old_active_total") or self.forced("old_active_total"):
            n = self.v[("old_active_total", None)]
            if self.allow_approx and n >= 30 and r.random() < 0.25:
                out.append(t("{}年，{}主动公开政府信息").format(self.year, t(self.we)) + self.approx("old_active_total", n, "条") + "。")
            elif r.random() < 0.2:
                cum = n + r.randint(200, 5000)
                out.append(t("截至{}年底，累计主动公开政府信息{}，其中本年度新增{}。").format(
                    self.year, self.num(cum, "条"), self.state("old_active_total", unit="条")))
            else:
                tpl = r.choice(("{}年，{}主动公开政府信息{}。", "{}年，{}共主动公开政务信息{}。", "{}年{}全年主动公开政府信息{}。"))
                out.append(t(tpl).format(self.year, t(self.we), self.state("old_active_total", unit="条")))
            channels = [c for c in names if c.startswith("old_channel_") and self.can(c)]
            if channels and r.random() < 0.6:
                parts = [t(names[c]) + self.state(c, unit="条") for c in channels if self.v[(c, None)]]
                if parts:
                    out.append(t("其中，") + t("、").join(parts) + "。")
            if r.random() < 0.4:
                cats = r.sample(CATEGORIES, 3)
                k = [r.randint(1, 40) for _ in cats]
                tot = sum(k) + r.randint(0, 30)
                out.append(t("从公开内容看，") + t("；").join(
                    t("{}类信息{}条，占{}%").format(t(c), x, round(100 * x / tot, 1)) for c, x in zip(cats, k)) + "。")
        if self.can("old_normative_issued") and r.random() < 0.4:
            out.append(t("全年制发规范性文件{}。").format(self.state("old_normative_issued", unit="件")))
        return out

    def old_response(self, names) -> list[str]:
        t, r = self.t, self.rng
        parts = []
        for code, unit in (("old_response_hotspots", "次"), ("old_press_conferences", "次"),
                           ("old_online_interviews", "次"), ("old_policy_interpretations", "篇")):
            if (self.can(code) and r.random() < 0.7) or self.forced(code):
                if code == "old_policy_interpretations" and self.allow_approx and self.v[(code, None)] >= 20 and r.random() < 0.3:
                    parts.append(t("发布政策解读稿件") + self.approx(code, self.v[(code, None)], "篇"))
                    continue
                label = {"old_online_interviews": "组织政府网站在线访谈", "old_policy_interpretations": "政策解读稿件发布"}.get(code, names[code])
                parts.append(t(label) + self.state(code, unit=unit, liang=True))
        out = [t("，").join(parts) + "。"] if parts else []
        if r.random() < 0.5:
            out.append(self.decoy())
        return out

    def old_requests(self, names, kids) -> list[str]:
        t, r = self.t, self.rng
        out = []
        rec = "old_req_received"
        any_forced = self.forced(rec, *kids.get(rec, ()), "old_req_completed", "old_req_answered",
                                 *kids.get("old_req_completed", ()), *kids.get("old_req_answered", ()))
        if not (self.can(rec) or any_forced):
            return out
        n = self.v[(rec, None)]
        if n == 0 and not any_forced:
            self.expected[(rec, None)] = 0
            return self.with_decoy("requests", [t(r.choice((
                "{year}年，{we}没有接到公众、法人或其他组织要求公开政府信息的申请。",
                "全年没有收到一件政府信息公开申请。",
                "本年度{we}未收到依申请公开件。",
                "依申请公开政府信息情况：无。",
            ))).format(year=self.year, we=t(self.we))])
        out.append(self._received(n))
        ch = [c for c in kids.get(rec, ()) if self.can(c)]
        if ch and (r.random() < 0.6 or self.forced(rec)):
            forced = self.forced(rec)
            parts = [t(names[c]) + self.state(c, unit="件") for c in ch if self.v[(c, None)] or forced]
            if parts:
                out[-1] += t("，其中") + t("、").join(parts)
        out[-1] += t("。")
        done = "old_req_completed"
        if (self.can(done) and r.random() < 0.7) or self.forced(done):
            s = t("已办结{}").format(self.state(done, unit="件"))
            sub = [c for c in kids.get(done, ()) if self.can(c)]
            if sub and (r.random() < 0.5 or self.forced(done)):
                s += t("，其中") + t("，").join(t(names[c]) + self.state(c, unit="件") for c in sub)
            out.append(s + t("。"))
        ans = "old_req_answered"
        if (self.can(ans) and r.random() < 0.6) or self.forced(ans):
            s = t("共答复申请{}").format(self.state(ans, unit="件"))
            forced = self.forced(ans)
            sub = [c for c in kids.get(ans, ()) if self.can(c) and (self.v[(c, None)] or forced)]
            if sub:
                s += t("，其中") + t("，").join(t(names[c]) + self.state(c, unit="件") for c in sub)
            out.append(s + t("。"))
        return self.with_decoy("requests", out)

    def _received(self, n: int) -> str:
        t, r = self.t, self.rng
        k = r.randrange(3)
        if k == 0:
            return t("{}年，{}共受理政府信息公开申请").format(self.year, t(self.we)) + self.state("old_req_received", unit="件")
        if k == 1:
            return t("全年共收到政府信息公开申请") + self.state("old_req_received", unit="件")
        return t("本年度受理依申请公开") + self.state("old_req_received", unit="件")

    def old_fees(self) -> list[str]:
        t, r = self.t, self.rng
        code = "old_fees_collected_wan"
        if not (self.can(code) or self.forced(code)):
            return [self.fill("requests")]
        w = self.v[(code, None)]
        self.expected[(code, None)] = w
        if w == 0:
            return self.with_decoy("fees", [t(r.choice(("{year}年度{we}未向申请人收取任何费用。", "本年度未发生政府信息公开收费事项。",
                                "政府信息公开工作所需费用全部在行政经费中列支，没有向申请人收费。"))).format(year=self.year, we=t(self.we))])
        yuan = int(w * 10000)
        return self.with_decoy("fees", [t("全年依申请提供政府信息收取检索、复制、邮寄等费用{}元。").format(yuan)])

    def old_review(self, names, kids) -> list[str]:
        t, r = self.t, self.rng
        rev, lit = "old_review_total", "old_litigation_total"
        fr = self.forced(rev, *kids.get(rev, ()))
        fl = self.forced(lit, *kids.get(lit, ()))
        if not ((self.can(rev) and self.can(lit)) or fr or fl):
            return []
        a, b = self.v[(rev, None)], self.v[(lit, None)]
        if a == 0 and b == 0 and not (fr or fl):
            self.expected[(rev, None)] = 0
            self.expected[(lit, None)] = 0
            return self.with_decoy("review", [t(r.choice(("{year}年，{we}未发生因政府信息公开申请提起的行政复议和行政诉讼案件。",
                                "全年未发生有关政府信息公开事务的行政复议和行政诉讼案件。",
                                "本年度没有发生针对{we}政府信息公开的行政复议案、行政诉讼案。"))).format(year=self.year, we=t(self.we))])
        out = []
        for code, word, forced in ((rev, "政府信息公开类行政复议案件", fr), (lit, "行政诉讼案件", fl)):
            s = t("全年发生{}").format(t(word)) + self.state(code, unit="件")
            given = all(self.can(c) for c in kids.get(code, ()))
            sub = [c for c in kids.get(code, ()) if given and (self.v[(c, None)] or forced)]
            if self.v[(code, None)] and sub:
                if len(sub) == 1 and not forced and "维持" in names[sub[0]]:
                    for c in kids[code]:
                        self.expected[(c, None)] = self.v[(c, None)]
                    s += t("，均获维持")
                else:
                    s += t("，其中") + t("、").join(t(names[c]) + self.state(c, unit="件") for c in sub)
            out.append(s + t("。"))
        return self.with_decoy("review", out)

    def old_org(self, names, kids) -> list[str]:
        t, r = self.t, self.rng
        out = []
        staff = "old_staff_total"
        sub = kids.get(staff, ())
        if (self.can(staff, *sub) and r.random() < 0.8) or self.forced(staff):
            if r.random() < 0.5 or self.forced(staff):
                out.append(t("全{}从事政府信息公开工作人员{}，其中").format(t(self.we[1:]), self.state(staff, unit="名"))
                           + t("，").join(t(names[c]) + self.state(c, unit="名", liang=True) for c in sub) + t("。"))
            else:
                out.append(t("设有信息公开工作") + t("，").join(t(names[c]) + self.state(c, unit="名", liang=True) for c in sub) + t("。"))
        if self.can("old_reading_points") and r.random() < 0.5:
            out.append(t("在政务服务中心等场所设立了{}政府信息公开查阅点。").format(self.state("old_reading_points", unit="个")))
        if self.can("old_budget_wan") and self.v[("old_budget_wan", None)] and r.random() < 0.6:
            out.append(t("{}年共安排信息公开专项工作经费{}。").format(self.year, self.state("old_budget_wan", unit="万元")))
        return out

    def old_meetings(self) -> list[str]:
        t = self.t
        codes = ("old_meetings", "old_trainings", "old_trainees")
        if not self.can(*codes) or self.v[("old_trainings", None)] == 0:
            return []
        return [t("{}年，{}召开信息公开工作会议{}，组织信息公开工作培训{}，参加培训{}。").format(
            self.year, t(self.we), self.state(codes[0], unit="次", liang=True), self.state(codes[1], unit="次", liang=True),
            self.state(codes[2], unit="人次"))]

    # -- v2019 / v2021 sentences -----------------------------------------------------------------------------------
    def new_active(self) -> list[str]:
        t, r = self.t, self.rng
        out = []
        code = "nar_active_items"
        if (code, None) in self.v and r.random() < 0.75:
            n = self.v[(code, None)]
            if self.allow_approx and n >= 30 and r.random() < 0.25:
                figure = self.approx(code, n, "条")
            else:
                figure = self.state(code, unit="条")
            out.append(self._nar_active(figure))
            parts = []
            for c, label in (("nar_website_items", "通过政府门户网站发布"), ("nar_wechat_items", "政务微信公众号发布"),
                             ("nar_weibo_items", "政务微博发布")):
                if (c, None) in self.v and self.v[(c, None)] and r.random() < 0.7:
                    parts.append(t(label) + self.state(c, unit="条"))
            if parts:
                out[-1] += t("，其中") + t("，").join(parts)
            out[-1] += t("。")
        parts = []
        for c, label, unit in (("nar_policy_interpretations", "发布政策解读", "篇"),
                               ("nar_hotspot_responses", "回应公众关注热点或重大舆情", "次"),
                               ("nar_press_conferences", "举办新闻发布会", "场")):
            if (c, None) in self.v and r.random() < 0.6:
                parts.append(t(label) + self.state(c, unit=unit, liang=True))
        if parts:
            out.append(t("全年") + t("，").join(parts) + t("。"))
        return out

    def _nar_active(self, figure: str) -> str:
        t, r = self.t, self.rng
        k = r.randrange(3)
        if k == 0:
            return t("{}年，{}主动公开政府信息").format(self.year, t(self.we)) + figure
        if k == 1:
            return t("全年主动公开政府信息") + figure
        return t("全年通过各类渠道主动公开政务信息") + figure

    def new_requests(self, tot: str, codes: dict) -> list[str]:
        """Restate the 总计 column of 表三 (only cells the table prints)."""
        t, r = self.t, self.rng
        new, cin, closed, cout = codes["new"], codes["in"], codes["closed"], codes["out"]
        if not self.can(new, app=tot) or r.random() < 0.3:
            return [self.fill("requests")]
        if self.v[(new, tot)] == 0 and self.v[(cin, tot)] == 0:
            self.expected[(new, tot)] = 0
            return [t(r.choice(("{year}年，{we}未收到政府信息公开申请。", "本年度{we}共收到政府信息公开申请0件。")))
                    .format(year=self.year, we=t(self.we))]
        s = t("{}年，{}共收到政府信息公开申请").format(self.year, t(self.we)) + self.state(new, tot, "件")
        if self.can(cin, app=tot) and self.v[(cin, tot)] and r.random() < 0.6:
            s += t("，上年结转政府信息公开申请") + self.state(cin, tot, "件")
        if self.can(closed, app=tot) and r.random() < 0.7:
            s += t("，已办结") + self.state(closed, tot, "件")
        if self.can(cout, app=tot) and self.v[(cout, tot)] and r.random() < 0.6:
            s += t("，结转下年度继续办理") + self.state(cout, tot, "件")
        return self.with_decoy("review", self.with_decoy("requests", [s + t("。")]) + [self.fill("requests")])

    def info_fee(self, codes: list[str], names: dict) -> str:
        t, r = self.t, self.rng
        if not codes:
            return t(r.choice(FILLER["nothing"]))
        cases = next((c for c in codes if "实际收取件数" in names[c]), None)
        amount = next((c for c in codes if "实际收取金额" in names[c]), None)
        if cases is None or amount is None:
            return t(r.choice(FILLER["nothing"]))
        if self.v[(cases, None)] == 0:
            if r.random() < 0.5:
                return t(r.choice(FILLER["nothing"]))
            self.expected[(amount, None)] = 0
            return t(r.choice(("{year}年度本机关未收取信息处理费。", "本年度未发生信息处理费收费事项。"))).format(year=self.year)
        return t("{}年有{}政府信息公开申请案件收取信息处理费{}。").format(
            self.year, self.state(cases, unit="件"), self.state(amount, unit="元"))


def old_names(spec, era: str) -> tuple[dict, dict]:
    """Prose names of the v2008 codes (from the catalogue labels) and each identity parent's children."""
    names, kids = {}, {}
    for ind in spec.in_era(era):
        names[ind.code] = prose_name(ind.label)
        if ind.parent and ind.section != "old_local":
            kids.setdefault(ind.parent, []).append(ind.code)
    return names, kids
