"""Statistical tables → values. One reader for every layout: HTML grids, one cell per line, `|` fragments and
label / unit / value lines all arrive as the same token stream (normalize/tokens.py).

Tokens are grouped into rows (labels, then values: rows.py, with the label matching every reader shares). The
dispatcher (reader.py) tracks which table a row belongs to from anchor labels and hands it to that table's reader:

* active.py — 表二, active disclosure
* requests.py — 表三, requests by applicant type
* review.py — 表四, administrative review and litigation
* fees.py — the 信息处理费 table
* old.py — the v2008 统计表

They write through one context (context.py): the values and warnings, the current header, and the rows of
digits run together, cut by the identities when a table ends.
"""
from extractors.tables.old import old_table_columns
from extractors.tables.reader import TableReader
from extractors.tables.rows import Row, group_rows

__all__ = ["Row", "TableReader", "group_rows", "old_table_columns"]
