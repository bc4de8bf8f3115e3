"""Consistent figures: leaves are drawn, totals computed, so every strict identity holds unless one is broken.

Values are keyed ``(indicator_code, applicant_code | None)``. Integers everywhere except 万元 amounts, which are
``Decimal`` so that their printed form and their float are exact.
"""
from __future__ import annotations

from decimal import Decimal
from random import Random

from synthetic.spec import Identity, Spec

Key = tuple  # (code, applicant | None)

# relative frequency of the result leaves of 表三 (by code prefix; longest prefix wins)
_RESULT_WEIGHTS = (
    ("res_disclosed", 45.0), ("res_partial", 8.0), ("res_withheld_third_party", 2.0),
    ("res_withheld_process_info", 1.5), ("res_withheld_internal_affairs", 1.5), ("res_withheld_", 0.5),
    ("res_unavailable_not_held", 18.0), ("res_unavailable_needs_creation", 3.5), ("res_unavailable_", 2.0),
    ("res_not_processed_petition", 3.0), ("res_not_processed_repeat", 2.0), ("res_not_processed_", 0.6),
    ("res_other_no_correction", 2.5), ("res_other_", 0.8), ("res_other", 4.0),
)
_APPLICANT_WEIGHTS = (82.0, 9.0, 1.0, 1.0, 3.0, 4.0)  # the six columns before 总计, in column order
_REVIEW_WEIGHTS = (50.0, 15.0, 15.0, 20.0)            # 结果维持 / 结果纠正 / 其他结果 / 尚未审结


def _weight(code: str) -> float:
    best, w = -1, 0.3
    for prefix, weight in _RESULT_WEIGHTS:
        if code.startswith(prefix) and len(prefix) > best and (prefix.endswith("_") or code == prefix):
            best, w = len(prefix), weight
    return w


def multinomial(rng: Random, n: int, weights) -> list[int]:
    counts = [0] * len(weights)
    if n <= 0:
        return counts
    for i in rng.choices(range(len(weights)), weights, k=n):
        counts[i] += 1
    return counts


def _count(rng: Random, mean: float, p_zero: float = 0.0) -> int:
    if mean <= 0 or rng.random() < p_zero:
        return 0
    return int(rng.expovariate(1.0 / mean))


def _wan_from_yuan(yuan: int) -> Decimal:
    return (Decimal(yuan) / Decimal(10000)).normalize()


def wan(value) -> Decimal:
    return Decimal(value).normalize()


class Figures:
    """The true values of one report, the applicant columns, and which codes the report prints."""

    def __init__(self, spec: Spec, era: str):
        self.spec = spec
        self.era = era
        self.layout = spec.layouts[era]
        self.values: dict[Key, object] = {}
        self.printed_codes: list[str] = []      # codes with a printed cell (tables) in this report
        self.derived_codes: list[str] = []
        self.applicants = spec.applicant_codes  # last one is the total column
        self.total_col = self.applicants[-1]

    def get(self, code: str, app: str | None = None, default=0):
        return self.values.get((code, app), default)


# ---------------------------------------------------------------------------------------------------------
def request_plan(spec: Spec, era: str):
    """(printed rows, results total, result leaves, other rows, (new, carried_in), (total, carried_out), weights)."""
    key = ("requests", era)
    if key not in spec.cache:
        lay = spec.layouts[era]
        rows = [r.code for r in lay.req_rows]
        res_total = next(code for code in rows if _is_results_total(spec, code, era))
        leaves = [code for code in rows if code != res_total and _under(spec, code, res_total)]
        others = [code for code in rows if code not in leaves and code != res_total]
        flow_in, flow_out = _flow_codes(spec, era, res_total)
        spec.cache[key] = (rows, res_total, leaves, others, flow_in, flow_out, [_weight(c) for c in leaves])
    return spec.cache[key]


def requests_table(rng: Random, fig: Figures, scale: float, other_subtotal: bool = False) -> None:
    spec, lay = fig.spec, fig.layout
    rows, res_total, leaves, others, flow_in, flow_out, weights = request_plan(spec, fig.era)
    small = scale <= 1.5
    n_total = _count(rng, 1.6 * scale ** 1.1, p_zero=0.45 if small else 0.08)
    per_col = multinomial(rng, n_total, _APPLICANT_WEIGHTS)
    cols = fig.applicants[:-1]
    for col, n in zip(cols, per_col):
        counts = multinomial(rng, n, weights)
        for code, k in zip(leaves, counts):
            fig.values[(code, col)] = k
        fig.values[(res_total, col)] = n
        out = rng.randint(0, max(1, n // 6)) if n and rng.random() < 0.3 else 0
        cin = rng.randint(0, max(1, n // 6)) if n and rng.random() < 0.3 else 0
        cin = min(cin, n + out)
        for code in others:
            fig.values[(code, col)] = 0
        fig.values[(flow_in[1], col)] = cin
        fig.values[(flow_out[1], col)] = out
        fig.values[(flow_in[0], col)] = n + out - cin
    codes = leaves + [res_total] + others
    for code in codes:
        fig.values[(code, fig.total_col)] = sum(fig.values[(code, c)] for c in cols)
    fig.printed_codes += rows
    if other_subtotal:
        group = next((r.group for r in lay.req_rows if r.group and r.group in lay.derived
                      and not spec.indicators[r.group].derived_by_note), None)
        if group:
            fig.printed_codes.append(group)
            for col in fig.applicants:
                fig.values[(group, col)] = sum(fig.values[(k, col)] for k in spec.children(group, fig.era))


def _under(spec: Spec, code: str, ancestor: str) -> bool:
    p = spec.indicators[code].parent
    while p:
        if p == ancestor:
            return True
        p = spec.indicators[p].parent
    return False


def _is_results_total(spec: Spec, code: str, era: str) -> bool:
    """The printed row that the result rows add up to: the lhs of the column identity whose rhs are its descendants."""
    for ident in spec.strict_identities(era):
        if ident.scope == "column" and len(ident.lhs) == 1 and ident.lhs[0][1] == code:
            if all(_under(spec, t, code) for _, t in ident.rhs):
                return True
    return False


def _flow_codes(spec: Spec, era: str, res_total: str):
    """((new, carried_in), (res_total, carried_out)) from the column identity that has res_total on one side."""
    for ident in spec.strict_identities(era):
        if ident.scope == "column" and res_total in [t for _, t in ident.rhs] and len(ident.lhs) == 2:
            lhs = [t for _, t in ident.lhs]
            rhs = [t for _, t in ident.rhs]
            rhs.remove(res_total)
            return (lhs[0], lhs[1]), (res_total, rhs[0])
    raise LookupError("no flow identity for the requests table")


# ---------------------------------------------------------------------------------------------------------
def active_table(rng: Random, fig: Figures, scale: float, kind: str, *, rules: bool, extra_rows: bool) -> None:
    """表二: figures by the column's meaning (catalogue unit and label words), one row at a time."""
    spec = fig.spec
    small = scale <= 1.5
    for blk in fig.layout.active_blocks:
        for row_label, codes in blk.rows:
            inds = [spec.indicators[c] for c in codes]
            if any(i.notes.startswith("local") for i in inds) and not extra_rows:
                continue
            is_rules = row_label == "规章"
            if is_rules and not rules:
                continue
            zero_row = (is_rules and kind != "city_gov") or (small and rng.random() < 0.5)
            _active_row(rng, fig, inds, scale, zero_row)
            fig.printed_codes += codes


def _active_row(rng: Random, fig: Figures, inds, scale: float, zero: bool) -> None:
    v = fig.values
    by_word = {}
    for ind in inds:
        by_word[ind.label.rsplit(" ", 1)[-1]] = ind.code
    for ind in inds:
        v[(ind.code, None)] = Decimal(0) if ind.unit == "万元" else 0
    if zero:
        return
    codes = [i.code for i in inds]
    row = inds[0].label.split(" ")[0]
    factor = {"行政强制": 0.05, "行政处罚": 0.6, "其他对外管理服务事项": 0.8}.get(row, 1.0)
    if "本年新制作数量" in by_word:          # v2019 （一）
        made = _count(rng, 1.2 * scale)
        pub = made if rng.random() < 0.85 else rng.randint(0, made)
        v[(codes[0], None)], v[(codes[1], None)] = made, pub
        v[(codes[2], None)] = pub + _count(rng, 25 * scale)
    elif "本年制发件数" in by_word:          # v2021 （一）
        issued = _count(rng, 1.2 * scale)
        repealed = rng.randint(0, issued + 2) if rng.random() < 0.4 else 0
        v[(codes[0], None)], v[(codes[1], None)] = issued, repealed
        v[(codes[2], None)] = issued + _count(rng, 20 * scale)
    else:
        for ind in inds:
            word = ind.label.rsplit(" ", 1)[-1]
            if ind.unit == "万元":
                if "采购" in ind.label:
                    n = v.get((codes[0], None), 0) or 0
                    yuan = sum(rng.randint(20_000, 1_500_000) for _ in range(min(n, 50)))
                    v[(ind.code, None)] = _wan_from_yuan(yuan)
                else:
                    v[(ind.code, None)] = wan(Decimal(_count(rng, 500 * scale)) / 100)
            elif "增/减" in word:
                prev = v.get((codes[0], None), 0)
                change = rng.randint(-min(prev, 8), 12) if rng.random() < 0.6 else 0
                v[(ind.code, None)] = change
            elif "上一年" in word:
                v[(ind.code, None)] = _count(rng, 20 * scale)
            elif "采购项目" in word:
                v[(ind.code, None)] = _count(rng, 3 * scale)
            else:  # decisions
                v[(ind.code, None)] = _count(rng, 150 * factor * scale ** 1.3)


def review_table(rng: Random, fig: Figures, scale: float) -> None:
    for top, subs in fig.layout.review_tree:
        for sub, leaves in subs:
            codes = [c for c, _ in leaves]
            total_code = _group_total(fig.spec, codes)
            parts = [c for c in codes if c != total_code]
            mean = 0.15 * scale if sub is None else (0.08 * scale if "直接" in (sub or "") else 0.04 * scale)
            n = _count(rng, mean, p_zero=0.5)
            for c, k in zip(parts, multinomial(rng, n, _REVIEW_WEIGHTS[:len(parts)] or [1.0] * len(parts))):
                fig.values[(c, None)] = k
            fig.values[(total_code, None)] = n
            fig.printed_codes += codes


def _group_total(spec: Spec, codes: list[str]) -> str:
    for c in codes:
        if all(spec.indicators[o].parent == c for o in codes if o != c):
            return c
    return codes[-1]


def narrative(rng: Random, fig: Figures, scale: float) -> None:
    """nar_* figures (prose only), v2019 / v2021."""
    v = fig.values
    for ind in fig.spec.in_era(fig.era):
        if ind.section != "narrative":
            continue
        code = ind.code
        if code == "nar_active_items":
            v[(code, None)] = 10 + _count(rng, 120 * scale)
        elif code == "nar_website_items":
            v[(code, None)] = None  # filled below
        elif code in ("nar_wechat_items", "nar_weibo_items"):
            v[(code, None)] = None  # a share of the total, below
        elif code == "nar_policy_interpretations":
            v[(code, None)] = _count(rng, 3 * scale, p_zero=0.2)
        elif code == "nar_hotspot_responses":
            v[(code, None)] = _count(rng, 1.0 * scale, p_zero=0.3)
        else:
            v[(code, None)] = _count(rng, 0.5 * scale, p_zero=0.5)
    active = v.get(("nar_active_items", None)) or 0
    for code, share in (("nar_website_items", 1.0), ("nar_wechat_items", 0.6), ("nar_weibo_items", 0.3)):
        if (code, None) in v:
            v[(code, None)] = rng.randint(int(active * share) // 2, int(active * share)) if rng.random() < 0.8 else 0


def info_fees(rng: Random, fig: Figures) -> None:
    v = fig.values
    codes = [i.code for i in fig.spec.in_era(fig.era) if i.section == "info_fees"]
    if not codes:
        return
    cases = 0 if rng.random() < 0.85 else rng.randint(1, 3)
    amount = sum(rng.choice((100, 150, 200, 380, 400, 500)) for _ in range(cases))
    for c in codes:
        ind = fig.spec.indicators[c]
        if "件数" in ind.label:
            v[(c, None)] = cases
        else:
            v[(c, None)] = amount


# ---------------------------------------------------------------------------------------------------------
def old_table(rng: Random, fig: Figures, scale: float) -> None:
    """The v2008 national 统计表: every code of the old_* sections except provincial variants."""
    spec, v = fig.spec, fig.values
    codes = [code for kind, _, code, _ in fig.layout.old_rows if kind == "value"]
    for c in codes:
        v[(c, None)] = Decimal(0) if spec.indicators[c].unit == "万元" else 0
    ind = spec.indicators
    sc = scale
    active = 15 + _count(rng, 90 * sc)
    v[("old_active_total", None)] = active
    v[("old_active_normative", None)] = min(active, _count(rng, 1.5 * sc, p_zero=0.4))
    v[("old_normative_issued", None)] = _count(rng, 1.5 * sc, p_zero=0.4)
    channels = [c for c in codes if ind[c].parent is None and ind[c].section == "old_active"
                and c not in ("old_active_total", "old_normative_issued")]
    if channels:
        weights = [0.15 if "公报" in ind[c].label else 1.0 for c in channels]
        extra = _count(rng, active * 0.3)
        for c, k in zip(channels, multinomial(rng, active + extra, weights)):
            v[(c, None)] = k
    for c in codes:
        if ind[c].section == "old_response":
            v[(c, None)] = _count(rng, 0.8 * sc if "负责同志" not in ind[c].label else 0.2 * sc, p_zero=0.4)
    for c in codes:  # chief ≤ total (soft)
        p = ind[c].parent
        if p and ind[c].section == "old_response":
            v[(c, None)] = min(v[(c, None)], v[(p, None)])
    # requests
    received = _count(rng, 1.5 * sc ** 1.1, p_zero=0.5 if sc <= 1.5 else 0.1)
    fill_children(rng, fig, "old_req_received", received, {"当面": 30, "传真": 2, "网络": 50, "信函": 18})
    unfinished = rng.randint(0, received // 8) if received > 8 else 0
    completed = received - unfinished
    v[("old_req_completed", None)] = completed
    extended = rng.randint(0, completed // 5) if completed > 4 else 0
    fill_children(rng, fig, "old_req_completed", completed, {"延期": 0}, fixed={"延期": extended})
    v[("old_req_answered", None)] = completed
    fill_children(rng, fig, "old_req_answered", completed,
                  {"已主动公开": 15, "不同意": 5, "部分公开": 7, "同意公开": 45, "不属于": 10, "不存在": 10,
                   "更改补充": 4, "其他途径": 4})
    denied = next((c for c in codes if ind[c].parent == "old_req_answered" and "不同意" in ind[c].label), None)
    if denied:
        kids = [c for c in codes if ind[c].parent == denied]
        for c, k in zip(kids, multinomial(rng, v[(denied, None)], [1.0] * len(kids))):
            v[(c, None)] = k
    for total in ("old_review_total", "old_litigation_total"):
        n = _count(rng, 0.1 * sc, p_zero=0.6)
        fill_children(rng, fig, total, n, {"维持": 60, "纠错": 20, "其他": 20})
    v[("old_complaints", None)] = _count(rng, 0.3 * sc, p_zero=0.7)
    v[("old_fees_collected_wan", None)] = Decimal(0) if rng.random() < 0.92 else wan(Decimal(rng.randint(1, 40)) / 100)
    v[("old_dedicated_units", None)] = 1 if rng.random() < 0.8 else rng.randint(0, 3)
    v[("old_reading_points", None)] = rng.randint(1, 3 + int(sc))
    full, part = rng.randint(0, 2 + int(sc ** 0.5)), rng.randint(1, 4 + int(sc ** 0.5))
    fill_children(rng, fig, "old_staff_total", full + part, {"专职": 0, "兼职": 0}, fixed={"专职": full, "兼职": part})
    v[("old_budget_wan", None)] = wan(Decimal(_count(rng, 15 * sc, p_zero=0.3)) / 10)
    v[("old_meetings", None)] = rng.randint(0, 4)
    v[("old_trainings", None)] = rng.randint(0, 3)
    v[("old_trainees", None)] = v[("old_trainings", None)] * rng.randint(5, 25)
    fig.printed_codes += codes


def fill_children(rng: Random, fig: Figures, parent: str, total: int, weights_by_word: dict, fixed=None) -> None:
    """Set parent = total and split it over the parent's children (matched to weights by a word of their label)."""
    spec, v = fig.spec, fig.values
    v[(parent, None)] = total
    kids = [i for i in spec.indicators.values() if i.parent == parent and fig.era in i.eras
            and i.section != "old_local"]
    if fixed:
        left = total
        for k in kids:
            word = next((w for w in fixed if w in k.label), None)
            if word:
                v[(k.code, None)] = fixed[word]
                left -= fixed[word]
        rest = [k for k in kids if not any(w in k.label for w in fixed)]
        if rest:
            for k, n in zip(rest, multinomial(rng, left, [1.0] * len(rest))):
                v[(k.code, None)] = n
        return
    weights = [next((w for word, w in weights_by_word.items() if word in k.label), 1.0) for k in kids]
    for k, n in zip(kids, multinomial(rng, total, weights)):
        v[(k.code, None)] = n


# ---------------------------------------------------------------------------------------------------------
def balance(values: dict, ident: Identity, app: str | None):
    """lhs − rhs of one identity in one scope (column scope: app is the column; row scope: app is the row code)."""
    if ident.scope == "row":
        lhs = sum(s * (values.get((app, t)) or 0) for s, t in ident.lhs)
        rhs = sum(s * (values.get((app, t)) or 0) for s, t in ident.rhs)
    else:
        lhs = sum(s * (values.get((t, app)) or 0) for s, t in ident.lhs)
        rhs = sum(s * (values.get((t, app)) or 0) for s, t in ident.rhs)
    return lhs - rhs


def break_identity(rng: Random, fig: Figures, ident: Identity, printed: set) -> list[Key]:
    """Make exactly ``ident`` fail: add k to one lhs cell and rebalance every other strict identity.

    Returns the keys whose cells must be printed (not blank) so that the break is visible."""
    k = rng.randint(1, 5)
    spec, era, v = fig.spec, fig.era, fig.values
    others = [i for i in spec.strict_identities(era) if i.code != ident.code and i.scope == "column"
              and all(t in printed for t in i.terms)]  # identities over derived nodes hold by construction
    member = {}
    for i in spec.strict_identities(era):
        for t in i.terms:
            member[t] = member.get(t, 0) + 1
    order = {c: spec.indicators[c].order for c in spec.indicators}
    cols = fig.applicants
    if ident.scope == "report":
        code = next(t for _, t in ident.lhs if t in printed)
        v[(code, None)] = v.get((code, None), 0) + k
        return [(t, None) for t in ident.terms]
    if ident.scope == "column":
        col = rng.choice(cols[:-1])
        code = next(t for _, t in ident.lhs if t in printed)
        touched = {code}
        for c in (col, fig.total_col):
            v[(code, c)] = v.get((code, c), 0) + k
        _rebalance(v, others, printed, touched, [col, fig.total_col], member, order)
        return [(t, c) for t in ident.terms for c in (col, fig.total_col)] + [(t, c) for t in touched for c in cols]
    # row scope (the total column equals the sum of the others): change one cell of one column
    col = rng.choice(cols[:-1])
    code = next(r.code for r in fig.layout.req_rows if r.code in printed)
    v[(code, col)] = v.get((code, col), 0) + k
    touched = {code}
    _rebalance(v, others, printed, touched, [col], member, order)
    return [(t, c) for t in touched for c in cols]


def _rebalance(v, identities, printed, touched, cols, member, order) -> None:
    for _ in range(len(identities) + 2):
        changed = False
        for ident in identities:
            for c in cols:
                bal = balance(v, ident, c)
                if bal == 0:
                    continue
                side = ident.rhs if bal > 0 else ident.lhs
                cands = [t for s, t in side if s == 1 and t in printed and t not in touched]
                if not cands:
                    raise RuntimeError(f"cannot rebalance {ident.code}")
                pick = min(cands, key=lambda t: (member.get(t, 0), order[t]))
                for cc in cols:
                    v[(pick, cc)] = v.get((pick, cc), 0) + abs(bal)
                touched.add(pick)
                changed = True
                break
        if not changed:
            return
