"""Citation markers in the styles reports are written in, counted and resolved.

This project's drafts cite with ``[@id]``; reports written elsewhere use numbered brackets ``[1]`` or
``[1, 3-5]`` with a reference list (``[1] https://… - title``), footnotes ``[^1]`` with ``[^1]: …``
definitions, inline links ``[Source](https://…)``, or bare URLs. :func:`citation_summary` finds all of them,
so the validator can reject foreign styles in a draft and a benchmark can measure other systems' reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from reportgraph.tools.registry import CITATION_MARKER

CitationStyle = Literal["id_marker", "numeric", "footnote", "link", "bare_url"]
STYLES: tuple[CitationStyle, ...] = ("id_marker", "numeric", "footnote", "link", "bare_url")

# "[1]", "[2, 5]", "[3-6]", "【4】": not a link's text "[1](…)", not a footnote "[^1]".
_NUMERIC = re.compile(r"[\[【](\d{1,3}(?:\s*(?:[,，、;；]|[-–—~])\s*\d{1,3})*)[\]】](?!\()")
_NUMBER_RANGE = re.compile(r"(\d+)\s*[-–—~]\s*(\d+)|(\d+)")
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://[^\s)\]>\"'，。；、）]+")
# Reference-list entries: "[1] https://…", "[1]: …", "1. https://…", and footnote definitions "[^1]: …".
_REFERENCE_ENTRY = re.compile(
    r"^\s*(?:[\[【](\d{1,3})[\]】]\s*[:：.]?|(\d{1,3})\.\s+(?=\S*https?://))\s*(.+)$", re.M
)
_FOOTNOTE_DEFINITION = re.compile(r"^\s*\[\^([^\]\s]+)\]:\s*(.+)$", re.M)
_REFERENCE_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?\**\s*"
    r"(?:references?|sources|bibliography|works cited|参考文献|参考资料|引用来源|资料来源)"
    r"\s*\**\s*[:：]?\s*$",
    re.I | re.M,
)
_MAX_RANGE = 50  # "[1-3]" cites three sources; a wider span is not a list of citations


@dataclass
class CitationSummary:
    """In-text citations by style, and how numbered and footnote citations resolve to their definitions."""

    counts: dict[CitationStyle, int] = field(default_factory=lambda: dict.fromkeys(STYLES, 0))
    cited: dict[CitationStyle, set[str]] = field(default_factory=lambda: {s: set() for s in STYLES})
    references: dict[str, str] = field(default_factory=dict)  # number → its reference-list entry
    footnotes: dict[str, str] = field(default_factory=dict)
    has_reference_section: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unresolved_numbers(self) -> set[str]:
        """Numbers cited in the text with no entry in the reference list (when the report has one)."""
        return self.cited["numeric"] - set(self.references) if self.references else set()

    @property
    def uncited_references(self) -> set[str]:
        return set(self.references) - self.cited["numeric"]

    @property
    def unresolved_footnotes(self) -> set[str]:
        return self.cited["footnote"] - set(self.footnotes)


def expand_numbers(group: str) -> list[str]:
    """'1, 3-5' → ['1', '3', '4', '5']. A falling or implausibly wide "range" ('41-23') is one compound
    reference (a search result's document and chunk), kept as written."""
    numbers: list[str] = []
    for match in _NUMBER_RANGE.finditer(group):
        if match.group(3):
            numbers.append(match.group(3))
            continue
        first, last = int(match.group(1)), int(match.group(2))
        if 0 <= last - first <= _MAX_RANGE:
            numbers.extend(str(n) for n in range(first, last + 1))
        else:
            numbers.append(f"{first}-{last}")
    return numbers


def split_reference_section(markdown: str) -> tuple[str, str]:
    """(body, reference list): the list starts at its heading, else at the first run of entries at the end."""
    # The last such heading: a report may have a "Sources" subsection before its reference list.
    headings = list(_REFERENCE_HEADING.finditer(markdown))
    if headings:
        heading = headings[-1]
        return markdown[: heading.start()], markdown[heading.end() :]
    lines = markdown.splitlines(keepends=True)
    start = len(lines)
    while start > 0 and (not lines[start - 1].strip() or _REFERENCE_ENTRY.match(lines[start - 1])):
        start -= 1
    if not any(_REFERENCE_ENTRY.match(line) for line in lines[start:]):
        return markdown, ""
    return "".join(lines[:start]), "".join(lines[start:])


def citation_summary(markdown: str) -> CitationSummary:
    """Count every citation in the body of ``markdown`` by style, and read its reference list."""
    body, references = split_reference_section(markdown)
    summary = CitationSummary(has_reference_section=bool(references.strip()))
    for match in _REFERENCE_ENTRY.finditer(references):
        summary.references[match.group(1) or match.group(2)] = match.group(3).strip()
    for match in _FOOTNOTE_DEFINITION.finditer(markdown):
        summary.footnotes[match.group(1)] = match.group(2).strip()
    body = _FOOTNOTE_DEFINITION.sub("", body)

    def take(style: CitationStyle, targets: list[str]) -> None:
        summary.counts[style] += 1
        summary.cited[style].update(targets)

    for match in CITATION_MARKER.finditer(body):
        take("id_marker", [match.group(1)])
    for match in _NUMERIC.finditer(body):
        take("numeric", expand_numbers(match.group(1)))
    for match in _FOOTNOTE.finditer(body):
        take("footnote", [match.group(1)])
    for match in _LINK.finditer(body):
        take("link", [match.group(2)])
    for match in _URL.finditer(_LINK.sub(" ", body)):
        take("bare_url", [match.group(0)])
    return summary


def foreign_citations(text: str) -> list[str]:
    """Citation markers in ``text`` in any style but ``[@id]``, as written (numbered, footnote, link)."""
    return [m.group(0) for pattern in (_NUMERIC, _FOOTNOTE, _LINK) for m in pattern.finditer(text)]


def without_citations(text: str) -> str:
    """``text`` with every citation marker removed (a link keeps its text), e.g. to measure its length."""
    text = _LINK.sub(r"\1", text)
    for pattern in (CITATION_MARKER, _NUMERIC, _FOOTNOTE, _URL):
        text = pattern.sub("", text)
    return text
