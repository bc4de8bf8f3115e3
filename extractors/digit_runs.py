"""Table rows whose figures arrive run together (formats.md §7.V): `…申请数量472000049` is 47 | 2 | 0 | 0 | 0 | 0 | 49.

Crawlers that keep a page's text join a row's cells with no separator, or with some separators lost
(`…申请数量 15 0 0 1 0 016`). A row of n cells that arrives as fewer tokens is split into n cells, no cell with a
leading zero (a lone 0 is a cell), and the split is chosen by the identities of identities.csv that apply to the
row and its table (the applicant sum of a 表三 row, the column identities across its rows, 表四's sums, the
v2008 sums) and by a known column layout (本年 ≤ 历年累计). A split is accepted only when exactly one satisfies
them; nothing here names an identity or an indicator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from extractors.catalogue import Catalogue
from extractors.narrative import is_glued_date

Key = tuple[str, str | None]  # (indicator code, column: an applicant code, None, or a layout column)

_RUN = re.compile(r"^([+\-]?)(\d+)$")
MAX_SPLITS = 20000  # more ways to cut a row than this: it is not read (a 表四 of 20 digits has 11,628 at most)
SHOWN_CANDIDATES = 4

READ_BY_CELL = "cell"
READ_BY_DIGITS = "digit_split"  # the only way to cut the run into the row's cells (0000000)
READ_BY_IDENTITY = "identity_split"  # one of several cuts, chosen by the identities


def _cuts(sign: str, digits: str, k: int) -> list[list[str]]:
    """Every way to cut ``digits`` into ``k`` cells with no leading zero (a lone 0 is a cell)."""
    if k == 1:
        return [[sign + digits]] if digits == "0" or digits[0] != "0" else []
    out = []
    first_max = 1 if digits[0] == "0" else len(digits) - k + 1
    for n in range(1, first_max + 1):
        head = digits[:n]
        for rest in _cuts("", digits[n:], k - 1):
            out.append([sign + head, *rest])
            if len(out) > MAX_SPLITS:
                return out
    return out


def splits(tokens: list[str], n: int, limit: int = MAX_SPLITS) -> list[tuple[str, ...]] | None:
    """Every way to read ``tokens`` as ``n`` cells (each pure-digit token cut into one or more cells); [] when there
    is none, None when there are more than ``limit`` or a token is a glued date."""
    runs = []
    for tok in tokens:
        m = _RUN.match(tok)
        if m is not None:
            if is_glued_date(m.group(2)):  # formats.md §7.G: never a count
                return None
            runs.append((m.group(1), m.group(2)))
        else:
            runs.append(None)
    out: list[tuple[str, ...]] = []

    def walk(i: int, left: int, acc: list[str]) -> bool:
        if i == len(tokens):
            if left == 0:
                out.append(tuple(acc))
            return len(out) <= limit
        rest_min = len(tokens) - i - 1
        if runs[i] is None:
            return walk(i + 1, left - 1, acc + [tokens[i]]) if left - 1 >= rest_min else True
        sign, digits = runs[i]
        rest_max = sum(len(r[1]) if r else 1 for r in runs[i + 1:])
        for k in range(max(1, left - rest_max), min(len(digits), left - rest_min) + 1):
            for cut in _cuts(sign, digits, k):
                if not walk(i + 1, left - k, acc + cut):
                    return False
        return True

    if n <= 0 or not walk(0, n, []):
        return None
    return out


def _number(cell: str) -> float:
    return float(cell)


@dataclass
class Run:
    """One row read as fewer tokens than its cells: its cells' keys and the cuts that fit them."""
    label: str
    keys: list[Key]
    tokens: list[str]
    candidates: list[tuple[str, ...]] | None  # None: too many ways to cut it, or a glued date
    emit: list[bool]  # per cell: a value of the report (False: a layout column such as 历年累计, only checked)
    context: object = None  # what the reader needs to write the values (the row, a unit)
    order: list[Callable] = field(default_factory=list)  # (cell) constraints of the layout: year ≤ cumulative
    chosen: tuple[str, ...] | None = None
    read_by: str = READ_BY_IDENTITY
    remaining: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def identity_instances(cat: Catalogue, era: str, rows: list[str], columns: list[str | None],
                       layout_columns: tuple[str | None, ...] = (None,)) -> list[tuple[list[tuple[Key, int]],
                                                                                        list[tuple[Key, int]]]]:
    """The checks of the era's identities as (lhs, rhs) lists of (key, sign): per applicant column, per report
    (and per layout column of a v2008 table), per 表三 row."""
    out = []
    for ident in cat.identities:
        if era not in ident.eras:
            continue
        if ident.scope == "applicant_column":
            for c in columns:
                out.append(([((code, c), s) for code, s in ident.lhs], [((code, c), s) for code, s in ident.rhs]))
        elif ident.scope == "report":
            for c in layout_columns:
                out.append(([((code, c), s) for code, s in ident.lhs], [((code, c), s) for code, s in ident.rhs]))
        else:  # row: the terms are the applicant columns
            for row in rows:
                out.append(([((row, a), s) for a, s in ident.lhs], [((row, a), s) for a, s in ident.rhs]))
    return out


def resolve(runs: list[Run], known: dict[Key, float | None], instances, derived: dict[str, list[str]],
            budget: int = 200_000) -> None:
    """Choose each run's cut: one that, with the values already read (``known``; blank = 0), satisfies every
    identity check whose terms are all printed. A derived term (res_other of v2021) is the sum of its printed
    children. Sets ``run.chosen`` when exactly one cut of the run fits every consistent reading of the table."""
    if not runs:
        return
    owner: dict[Key, tuple[int, int]] = {}
    for r, run in enumerate(runs):
        for i, key in enumerate(run.keys):
            owner.setdefault(key, (r, i))

    def has(key: Key) -> bool:
        if key in known or key in owner:
            return True
        kids = derived.get(key[0])
        return bool(kids) and all((k, key[1]) in known or (k, key[1]) in owner for k in kids)

    checks = []  # (runs it reads, evaluate(assignment) -> bool)
    for lhs, rhs in instances:
        terms = [(k, s, 1) for k, s in lhs] + [(k, s, -1) for k, s in rhs]
        if not all(has(k) for k, _, _ in terms):
            continue  # a term not printed: the check says nothing here
        flat: list[tuple[Key, int]] = []
        for k, s, side in terms:
            if k in known or k in owner:
                flat.append((k, s * side))
            else:
                flat.extend(((kid, k[1]), s * side) for kid in derived[k[0]])
        involved = sorted({owner[k][0] for k, _ in flat if k in owner and k not in known})
        if not involved:
            continue
        const = sum(sign * (known[k] or 0) for k, sign in flat if k in known)
        moving = [(owner[k], sign) for k, sign in flat if k not in known]
        checks.append((involved, const, moving))

    def ok(check, assign: dict[int, tuple[str, ...]]) -> bool:
        _, const, moving = check
        total = const + sum(sign * _number(assign[r][i]) for (r, i), sign in moving)
        return abs(total) < 1e-9

    # local: the checks that read one run alone, and the run's own layout constraints
    for r, run in enumerate(runs):
        cands = run.candidates or []
        own = [c for c in checks if c[0] == [r]]
        run.remaining = [c for c in cands if all(ok(chk, {r: c}) for chk in own)
                         and all(rule(c) for rule in run.order)]
    # joint: every cut of every run that fits some reading of the whole table
    order = sorted(range(len(runs)), key=lambda r: len(runs[r].remaining))
    position = {r: p for p, r in enumerate(order)}
    due: dict[int, list] = {}
    for chk in checks:
        if len(chk[0]) > 1:
            due.setdefault(max(position[r] for r in chk[0]), []).append(chk)
    fits: list[set[int]] = [set() for _ in runs]
    assign: dict[int, tuple[str, ...]] = {}
    chosen_idx: dict[int, int] = {}
    steps = [0]
    complete = [True]

    def walk(p: int) -> None:
        if steps[0] > budget:
            complete[0] = False
            return
        if p == len(order):
            for r, i in chosen_idx.items():
                fits[r].add(i)
            return
        r = order[p]
        for i, cand in enumerate(runs[r].remaining):
            steps[0] += 1
            assign[r] = cand
            chosen_idx[r] = i
            if all(ok(chk, assign) for chk in due.get(p, ())):
                walk(p + 1)
            if not complete[0]:
                return
        assign.pop(r, None)
        chosen_idx.pop(r, None)

    if all(run.remaining for run in runs):
        walk(0)
    joint = complete[0] and all(fits)  # else: the table breaks an identity, or too many readings to try
    for r, run in enumerate(runs):
        pool = [run.remaining[i] for i in sorted(fits[r])] if joint else run.remaining
        if len(pool) == 1:
            run.chosen = pool[0]
            run.read_by = READ_BY_DIGITS if run.candidates and len(run.candidates) == 1 else READ_BY_IDENTITY
        run.remaining = pool if joint else run.remaining


def describe(run: Run) -> str:
    """The warning of a run left unread."""
    if run.candidates is None:
        why = "a glued date or too many ways to cut it"
        shown = ""
    else:
        pool = run.remaining or run.candidates
        why = f"{len(pool)} readings fit the identities" if pool else "no reading fits the identities"
        shown = "; ".join(" | ".join(c) for c in pool[:SHOWN_CANDIDATES]) + (" …" if len(pool) > SHOWN_CANDIDATES
                                                                             else "")
    return (f"ambiguous digit run {run.text!r} under {run.label!r} ({len(run.keys)} cells): {why}; kept unread"
            + (f" (candidates: {shown})" if shown else ""))
