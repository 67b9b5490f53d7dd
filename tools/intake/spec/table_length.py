"""The length an outline table's length column adds up to: one length per row, summed.

| Section | Approx. words |        | 部分 | 内容要点 | 建议字数 |
|---|---|                        |---|---|---|
| History | 300 |                | 背景 | 政策沿革 | 800-1000 |
| Methods | 500 |                | 现状 | 各地做法 | 1000-1200 |

Each cell is read as a length phrase (length_mentions), in the unit its header names when the cell names
none ("300" under "Approx. words" is about 300 words). Ranges add up as sums of minimums and of maximums;
approximate figures add up to a figure that is approximate in turn (300 + 500 about → 720–880, not the
sum of the rounded rows); a header saying max/上限 (min/下限) makes bare figures bounds. A total row
("| 合计 | 3000 |") states the whole length instead.
"""

from __future__ import annotations

import re
from dataclasses import replace

from reportgraph.tools.intake.spec.length_mentions import (
    UNIT_PLAIN,
    LengthMention,
    find_length_mentions,
    widen,
)
from reportgraph.tools.intake.spec.tables import LengthColumn, length_columns
from reportgraph.tools.text import CJK_CHAR

HEADER_UNIT = re.compile(UNIT_PLAIN, re.IGNORECASE)
LEFT_OVER = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
HEADER_UPPER = re.compile(r"\bmax|\blimit|上限|最多|至多|不超过|以内", re.IGNORECASE)
HEADER_LOWER = re.compile(r"\bmin|下限|至少|不少于|以上", re.IGNORECASE)


def cell_length(cell: str, header: str) -> LengthMention | None:
    """One row's length: the cell as a length phrase, in the header's unit when the cell names none; None
    when it is not exactly one length."""
    found = find_length_mentions(cell)
    if not found:
        unit = HEADER_UNIT.search(header)
        unit_text = unit.group(0) if unit else "字" if CJK_CHAR.search(header) else "words"
        found = find_length_mentions(f"{cell} {unit_text}")
    if len(found) != 1 or LEFT_OVER.search(cell[: found[0].start] + cell[found[0].end :]):
        return None  # "half a page": words the length phrase does not hold change it
    mention = found[0]
    if mention.bound == "approx" and mention.min is not None and mention.max is not None:
        figure = (mention.min + mention.max) // 2  # the figure widen() spread (symmetric but for rounding)
        if HEADER_UPPER.search(header):
            return replace(mention, min=None, max=figure, bound="upper")
        if HEADER_LOWER.search(header):
            return replace(mention, min=figure, max=None, bound="lower")
    return mention


def summed(rows: list[LengthMention]) -> LengthMention | None:
    """The rows' lengths added up (see the module docstring); None when they share no unit or no bound."""
    kinds = {m.kind for m in rows} - {"default"}
    if len(kinds) > 1:
        return None
    kind = kinds.pop() if kinds else "default"
    approx = [m for m in rows if m.bound == "approx"]
    exact = [m for m in rows if m.bound != "approx"]
    figures = sum(((m.min or 0) + (m.max or 0)) // 2 for m in approx)  # the figures widen() spread
    low_add, high_add = widen(figures, kind) if approx else (0, 0)
    low = None if any(m.min is None for m in exact) else sum(m.min or 0 for m in exact) + low_add
    high = None if any(m.max is None for m in exact) else sum(m.max or 0 for m in exact) + high_add
    if low is None and high is None:
        return None
    bound = "approx" if not exact else "upper" if low is None else "lower" if high is None else "range"
    return LengthMention(low, high, bound, kind, 0, 0)


def column_length(column: LengthColumn) -> tuple[LengthMention, bool] | None:
    """The length a table's column states, spanning the whole table, and whether it is a sum of parts
    (True) or the table's total row (False); None when a row cannot be read."""
    if column.total is not None:
        total = cell_length(column.total, column.header)
        return (replace(total, start=column.start, end=column.end), False) if total else None
    rows = [cell_length(cell, column.header) for cell in column.parts]
    if any(row is None for row in rows):
        return None
    total = summed([row for row in rows if row is not None])
    return (replace(total, start=column.start, end=column.end), True) if total else None


def table_lengths(text: str) -> list[tuple[LengthMention, bool]]:
    """The length of every table of ``text`` with a length column (column_length)."""
    return [found for column in length_columns(text) if (found := column_length(column))]
