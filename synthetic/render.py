"""Table models (rows of cells with spans) and the renderers: HTML page, one cell per line, pipes, label/unit/value.

A table is a list of rows; a row is a list of cells ``(text, colspan, rowspan, is_value)``. A ``\\n`` inside a
header label marks where the page wraps it (``<br>`` in HTML, a new paragraph in flattened text).
"""
from __future__ import annotations

from dataclasses import dataclass

from synthetic.spec import (PRINTED_ACTIVE_FIRST_COLUMN, PRINTED_APPLICANT_GROUPS, PRINTED_APPLICANT_HEADER,
                            PRINTED_REQUESTS_NOTE, PRINTED_RESULTS_GROUP, EraLayout, Spec)


@dataclass
class Options:
    wrap: bool = False                 # header labels wrapped (本年新<br>制作数量)
    word_html: bool = False            # Word-pasted cell markup
    partial_short: bool = False        # （二）部分公开 without its parenthetical
    six_comma: bool = False            # （六） sub-labels with ， instead of 、
    normative_short: bool = False      # v2021 规范性文件 instead of 行政规范性文件
    total_label: str = "总计"
    proc_style: str = "plain"          # plain | wan | yuan | header
    plus_sign: bool = True
    thousands: bool = False
    pipe_first_line: bool = False      # pipes: a wrapped label keeps only its first line
    cell_pad: int = 0                  # cells_per_line: spaces around numbers
    old_units: str = "some"            # v2008 unit column: all | some
    old_header: tuple = ("指标", "单位", "数量")
    old_section_colspan: bool = False
    subtotal_label: str = "小计"
    other_subtotal: bool = False


@dataclass
class Table:
    rows: list
    caption: str = ""
    kind: str = ""


def _wrap(label: str, opts: Options, at: int | None = None) -> str:
    if not opts.wrap:
        return label
    at = at if at is not None else len(label) // 2
    return label[:at] + "\n" + label[at:] if 0 < at < len(label) else label


# ---------------------------------------------------------------------------------------------------------
def requests_table(spec: Spec, lay: EraLayout, cell, t, opts: Options, printed: set) -> Table:
    apps = spec.applicants
    n = len(apps)
    rows = [[(t(PRINTED_REQUESTS_NOTE), 3, 3, False), (t(PRINTED_APPLICANT_HEADER), n, 1, False)]]
    r2, r3 = [], []
    i = 0
    while i < n:
        code, label, parent = apps[i]
        if parent is None:
            lab = opts.total_label if i == n - 1 else label
            r2.append((t(lab), 1, 2, False))
            i += 1
            continue
        j = i
        while j < n and apps[j][2] == parent:
            j += 1
        r2.append((t(PRINTED_APPLICANT_GROUPS.get(parent, parent)), j - i, 1, False))
        r3 += [(t(_wrap(apps[k][1], opts) if len(apps[k][1]) == 4 else apps[k][1]), 1, 1, False) for k in range(i, j)]
        i = j
    rows += [r2, r3]
    app_codes = [a[0] for a in apps]
    groups = {}
    for r in lay.req_rows:
        if r.group:
            groups[r.group] = groups.get(r.group, 0) + 1
    sub_groups = {g for g in groups if g in printed}
    n_res = sum(1 for r in lay.req_rows if r.level > 0) + len(sub_groups)
    first_res, current = True, None
    for r in lay.req_rows:
        vals = [(cell(r.code, a), 1, 1, True) for a in app_codes]
        cells = []
        if r.level == 0:
            cells.append((t(r.label), 3, 1, False))
        else:
            if first_res:
                cells.append((t(PRINTED_RESULTS_GROUP), 1, n_res, False))
                first_res = False
            if r.level == 1:
                label = r.label
                if opts.partial_short:
                    label = label.split("（区分")[0]
                cells.append((t(label), 2, 1, False))
            else:
                if r.group != current:
                    current = r.group
                    size = groups[r.group] + (1 if r.group in sub_groups else 0)
                    cells.append((t(r.group_label), 1, size, False))
                    if r.group in sub_groups:
                        rows.append(cells + [(t(opts.subtotal_label), 1, 1, False)]
                                    + [(cell(r.group, a), 1, 1, True) for a in app_codes])
                        cells = []
                label = r.label.replace("、", "，") if opts.six_comma and "申请人" in r.label else r.label
                cells.append((t(label), 1, 1, False))
        rows.append(cells + vals)
    return Table(rows, kind="requests")


def active_table(lay: EraLayout, cell, t, opts: Options, printed: set) -> Table:
    rows = []
    grid = 4
    for blk in lay.active_blocks:
        body = [(label, codes) for label, codes in blk.rows if all(c in printed for c in codes)]
        if not body:
            continue
        k = len(blk.columns)
        last = grid - k
        rows.append([(t(blk.title), grid, 1, False)])
        head = [(t(PRINTED_ACTIVE_FIRST_COLUMN), 1, 1, False)]
        for i, col in enumerate(blk.columns):
            text = col
            if opts.proc_style == "header" and col == "采购总金额":
                text = col + "(万元)"
            if col.startswith("本年新"):
                text = _wrap(col, opts, 3)
            head.append((t(text), last if i == k - 1 else 1, 1, False))
        rows.append(head)
        for label, codes in body:
            if opts.normative_short and label.startswith("行政规范性"):
                label = label[2:]
            r = [(t(label), 1, 1, False)]
            for i, code in enumerate(codes):
                r.append((cell(code, None), last if i == k - 1 else 1, 1, True))
            rows.append(r)
    return Table(rows, kind="active")


def review_table(lay: EraLayout, cell, t, opts: Options) -> Table:
    r1, r2, r3, r4 = [], [], [], []
    for top, subs in lay.review_tree:
        r1.append((t(top), sum(len(leaves) for _, leaves in subs), 1, False))
        for sub, leaves in subs:
            if sub is None:
                r2 += [(t(_wrap(label, opts)), 1, 2, False) for _, label in leaves]
            else:
                r2.append((t(sub), len(leaves), 1, False))
                r3 += [(t(_wrap(label, opts)), 1, 1, False) for _, label in leaves]
            r4 += [(cell(code, None), 1, 1, True) for code, _ in leaves]
    return Table([r1, r2, r3, r4], kind="review")


def old_table(lay: EraLayout, cell, t, opts: Options, cumulative=None) -> Table:
    """``cumulative``: code → the 历年累计 cell printed after the year's (莆田-style 本年 | 历年累计), or None."""
    rows = [[(t(h), 1, 1, False) for h in opts.old_header] + ([(t("历年累计"), 1, 1, False)] if cumulative else [])]
    for kind, label, code, unit in lay.old_rows:
        if kind == "header":
            if opts.old_section_colspan:
                rows.append([(t(label), 3, 1, False)])
            else:
                rows.append([(t(label), 1, 1, False), ("", 1, 1, False), ("", 1, 1, False)])
            continue
        show = opts.old_units == "all" or unit in ("万元", "人次")
        rows.append([(t(label), 1, 1, False), (t(unit) if show else "", 1, 1, False), (cell(code, None), 1, 1, True)]
                    + ([(cumulative(code), 1, 1, True)] if cumulative else []))
    return Table(rows, kind="old")


# ---- renderers --------------------------------------------------------------------------------------------
def html_table(table: Table, opts: Options) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;"><tbody>']
    word = opts.word_html
    for row in table.rows:
        out.append("<tr>")
        for text, cs, rs, _ in row:
            attrs = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
            body = text.replace("\n", "<br/>") if text else "&nbsp;"
            if word:
                out.append(f'<td{attrs} style="border:solid windowtext 1.0pt;padding:0 5.4pt"><p class="MsoNormal"'
                           f' align="center" style="text-align:center"><span style="font-size:10.5pt">{body}</span></p></td>')
            else:
                out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def cells_per_line(table: Table, opts: Options) -> list[str]:
    """One paragraph per cell, in reading order (seed 004)."""
    out = []
    pad = opts.cell_pad
    for i, row in enumerate(table.rows):
        for text, _, _, is_value in row:
            if is_value:
                if not text:
                    out.append(" ")
                elif pad == 1:
                    out.append(" " + text)
                elif pad == 2:
                    out.append(text + " " if i % 2 else "  " + text)
                else:
                    out.append(text)
            else:
                out.append(text)
    return out


def pipes(table: Table, opts: Options) -> list[str]:
    """``|`` row starts, ``text |`` per cell, then ``||…`` padding for spans (seed 003)."""
    out = []
    carry: dict[int, int] = {}   # grid column → rows still covered by a rowspan from above
    for row in table.rows:
        covered = {c for c, left in carry.items() if left > 0}
        out.append("|")
        col, extra = 0, 0
        for text, cs, rs, _ in row:
            while col in covered:
                col += 1
            if "\n" in text:
                text = text.split("\n")[0] if opts.pipe_first_line else text.replace("\n", "")
            out.append(f"{text} |")
            extra += cs - 1
            if rs > 1:
                for c in range(col, col + cs):
                    carry[c] = rs
            col += cs
        pad = extra + len(covered)
        if pad:
            out.append("|" * pad)
        for c in list(carry):
            carry[c] -= 1
            if carry[c] <= 0:
                del carry[c]
        # cells placed in this row with a rowspan cover the following rows: they were set to rs, now rs-1
    return out


def label_unit_value(table: Table) -> list[str]:
    """v2008 附表 flattened as label / unit / value lines (seed 000)."""
    out = []
    head = table.rows[0]
    for i, (text, *_) in enumerate(head):
        out += [text[0] + " \xa0" + text[1] if i == 0 and len(text) == 2 else text, ""]
    for row in table.rows[1:]:
        label = row[0][0]
        out += [label + " \xa0", ""]
        if len(row) < 3:
            out.append("")
            continue
        unit, value = row[1][0], row[2][0]
        if unit:
            out += [unit, ""]
        if value:
            out += ["\xa0\xa0" + value, ""]
        else:
            out.append("")
    return out



def run_together(table: Table, rng, spaced: float = 0.0) -> list[str]:
    """Text a crawler kept (formats.md §7.V): one line per table row, the label then its figures with no separator
    (``spaced``: the share of separators kept, at random), header rows lost. Full-width rows (a 表二 block title, a
    v2008 section row) stay as lines; a blank cell leaves nothing. A negative or decimal figure keeps a space before
    it (a glued ``-8`` or ``0.5`` could not be told from its neighbours)."""
    out = []
    for n, row in enumerate(table.rows):
        values = [text for text, _, _, is_value in row if is_value and text]
        labels = "".join(text.replace("\n", "") for text, _, _, is_value in row if not is_value)
        if not any(is_value for *_, is_value in row):
            title = len([c for c in row if c[0]]) == 1 and not (table.kind == "old" and n == 0)
            if table.kind in ("active", "old") and title:
                out.append(labels)  # a block title / section row: a line of its own
            continue  # a header row: lost
        line, previous = labels, ""
        for v in values:
            glue = "" if rng.random() >= spaced else " "
            if v.startswith("-") or "." in v or "." in previous:
                glue = " "
            line += glue + v
            previous = v
        out.append(line)
    return out
