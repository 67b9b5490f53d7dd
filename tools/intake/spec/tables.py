"""Outlines given as a markdown table: a header row naming the sections column, one heading per row.

| 序号 | 章节标题 | 主要内容 |        | Section | Words |
|---|---|---|                    |---|---|
| 1 | 研究背景 | … |            | History | 500 |

The headings column is the first whose header names sections, parts, chapters or headings (章节, 部分,
标题, Section, Chapter …) and holds more than numbers; a numbering column (序号, No., #, or a "Part" column of
1, 2, 3) is left out. A table (GFM: a header
row, a delimiter row of -, : and |, then body rows) whose header names no such column is no outline.

A column whose header names a length (字数, 篇幅, Words, Length, Pages) holds one length per row
(length_columns); the length reader adds them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgraph.tools.intake.spec.outline import lead_start
from reportgraph.tools.intake.spec.titles import OutlineList, clean_title, plausible_titles

TABLE = re.compile(
    r"^[ \t]*(?P<header>\|?[^\n|]*\|[^\n]*)\n"
    r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*"
    r"(?P<rows>(?:\n[ \t]*\|[^\n]*)+)",
    re.MULTILINE,
)
HEADINGS_HEADER = re.compile(
    r"章节|部分|标题|小节|板块|结构|\b(?:sections?|parts?|chapters?|headings?|titles?|outline)\b",
    re.IGNORECASE,
)

# A table's sum row ("| Total | 1,000 |") closes the table; it is no section.
TOTAL_ROW = re.compile(r"total|sum|overall|合计|总计|小计|共计|总字数", re.IGNORECASE)
NUMBERING = re.compile(r"\d{1,2}[.、)]?|[A-Za-z][.)]?|[一二三四五六七八九十]{1,3}[、.]?|[IVX]{1,4}\.?|[①-⑩]")


def cells(row: str) -> list[str]:
    """The cells of one table row, without the outer pipes: "| 1 | 背景 |" → ["1", "背景"]."""
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def table_outlines(text: str) -> list[OutlineList]:
    """Every markdown table of ``text`` whose header names a headings column, read as an outline."""
    found = []
    for match in TABLE.finditer(text):
        header = cells(match["header"])
        rows = [cells(row) for row in match["rows"].strip("\n").splitlines()]
        # "| Part | Heading |" with 1, 2, 3 under Part: a column of numbers is numbering, whatever its name.
        column = next((i for i, cell in enumerate(header) if HEADINGS_HEADER.search(cell)
                       and not all(NUMBERING.fullmatch(row[i]) for row in rows if len(row) > i)), None)
        if column is None:
            continue
        titles = [clean_title(row[column], marked=True) for row in rows
                  if len(row) > column and row[column] and not TOTAL_ROW.fullmatch(row[column].strip(" *"))]
        if plausible_titles(titles):
            start = lead_start(text, match.start())
            found.append(OutlineList([(t, t) for t in titles], start, match.end(), numbered=False))
    return found


LENGTH_HEADER = re.compile(
    r"字数|篇幅|长度|页数|\b(?:words?|word\s+count|length|pages?|characters?)\b", re.IGNORECASE
)
# Headers that can only mean a length of text: beside any column of text they make the table an outline
# ("| Topic | Word count |"); a bare "Length" or "Pages" needs a column named for the sections.
TEXT_LENGTH_HEADER = re.compile(r"字数|篇幅|\bwords?\b|\bword\s+count\b", re.IGNORECASE)
# A row that states the whole ("| 合计 | 3000 |", "| Total | 2,000 |") is no part to add.
TOTAL_ROW = re.compile(
    r"^(?:合计|总计|共计|总字数|全文|总篇幅|total|overall|sum|altogether)\b", re.IGNORECASE
)
# A part the table gives no text of its own ("| References | — |").
EMPTY_CELL = re.compile(r"[-—–/／]+|n/?a|无", re.IGNORECASE)


@dataclass(frozen=True)
class LengthColumn:
    """A table column of lengths: its header cell, the figure cell of every part row ("—" cells left out),
    the figure cell of a total row if any, and the table's span."""

    header: str
    parts: list[str]
    total: str | None
    start: int
    end: int


def names_parts(header: list[str], rows: list[list[str]], column: int) -> bool:
    """Whether another column than the length ``column`` names the parts (see TEXT_LENGTH_HEADER)."""
    others = [i for i in range(len(header)) if i != column]
    if any(HEADINGS_HEADER.search(header[i]) for i in others):
        return True
    texts = [i for i in others if all(len(row) > i and not NUMBERING.fullmatch(row[i])
                                      and not re.fullmatch(r"[\d.,\s%-]+", row[i]) for row in rows)]
    return bool(TEXT_LENGTH_HEADER.search(header[column]) and texts)


def length_columns(text: str) -> list[LengthColumn]:
    """Every markdown table of ``text`` with a column whose header names a length beside one that names the
    sections (a table of data, "| Year | Length (km) |", is no outline)."""
    found = []
    for match in TABLE.finditer(text):
        header = cells(match["header"])
        column = next((i for i, cell in enumerate(header) if LENGTH_HEADER.search(cell)), None)
        rows = [cells(row) for row in match["rows"].strip("\n").splitlines()]
        if column is None or not names_parts(header, rows, column):
            continue
        if any(len(row) <= column or not row[column] for row in rows):
            continue  # a length for some rows only bounds those parts (length.names_a_part), adds up to none
        filled = [row for row in rows if not EMPTY_CELL.fullmatch(row[column])]
        totals = [row[column] for row in filled if any(TOTAL_ROW.match(cell) for cell in row[:column])]
        parts = [row[column] for row in filled if not any(TOTAL_ROW.match(cell) for cell in row[:column])]
        if parts:
            total = totals[0] if totals else None
            found.append(LengthColumn(header[column], parts, total, match.start(), match.end()))
    return found
