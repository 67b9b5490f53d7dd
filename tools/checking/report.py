"""The report under check: parsed into sections and cited sentences, with what every check is given.

Citations are ``[@id]`` markers here: a report written with rendered or numbered citations is first
rewritten by :func:`reportgraph.tools.checking.citation_forms.resolve_citations`, which gives each
citation it can resolve an id in the registry (a page, a time range, a document) and records the ones it
cannot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from reportgraph.tools.checking.citation_forms import CitationLedger
from reportgraph.tools.checking.support import SupportChecker
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.intake.spec.facets import Facet
from reportgraph.tools.registry import CITATION_MARKER
from reportgraph.tools.text import split_sentences

VideoStatus = Literal["ok", "partial", "failed", "absent"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# A plain-text report (no markdown) puts its headings on their own lines: "（1）论文基本信息".
_NUMBERING = re.compile(
    r"^\s*(?:[（(]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）.、:：]|第[一二三四五六七八九十\d]+[部分章节]、?)\s*"
)
_QUOTED = re.compile(r"「[^」]*」|“[^”]*”|\"[^\"\n]*\"|《[^》]*》")
_MARKDOWN_SYNTAX = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_BLOCK_ITEM = re.compile(r"^\s*(?:\||[-*+]\s+|\d+[.、)]\s+)")
_CAPTION = re.compile(r"^(?:表|图|圖|Table|Figure|Fig\.)\s*\d*", re.I)
_LEADING_MARKERS = re.compile(r"^((?:\s*\[@[^\]]+\])+)")


class CheckResult(BaseModel):
    """One check's outcome. ``figure`` says what was checked and how: method and counts."""

    name: str
    passed: bool
    hard: bool = True
    figure: dict[str, Any] = Field(default_factory=dict)
    detail: str = ""
    sections: list[int] = Field(default_factory=list, description="Required sections this check implicates")
    feedback: dict[int, list[str]] = Field(default_factory=dict, exclude=True)


class ValidationResult(BaseModel):
    passed: bool
    checks: list[CheckResult]
    feedback: dict[str, list[str]] = Field(
        default_factory=dict, description="Section index → what to fix there"
    )

    @property
    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if check.hard and not check.passed]


@dataclass
class ParsedSection:
    heading: str
    body: str
    required_index: int | None = None


@dataclass
class ParsedReport:
    title: str
    preamble: str
    sections: list[ParsedSection] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the report: its text without markers, the ids it cites, where it stands."""

    text: str
    ids: tuple[str, ...]
    section: int | None
    heading: str = ""  # the nearest sub-heading or bold lead above it in its section


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", _NUMBERING.sub("", text)).lower()
    return re.sub(r"[\W_]+", "", text)


def heading_matches(heading: str, required: SectionRequirement) -> bool:
    found, wanted = _normal(heading), _normal(required.title)
    return bool(wanted) and (found == wanted or wanted in found)


def _plain_heading(line: str, spec: RequirementSpec | None) -> str | None:
    """A line that is only a required section's numbered title, as plain-text reports write headings."""
    stripped = line.strip().strip("*#").strip()
    if spec is None or not stripped or len(stripped) > 40 or not _NUMBERING.match(stripped):
        return None
    return stripped if any(_normal(stripped) == _normal(r.title) for r in spec.sections) else None


def parse_report(markdown: str, spec: RequirementSpec | None = None) -> ParsedReport:
    """Split markdown into title, preamble and level-2 sections (deeper headings stay in the body).

    With ``spec``, a line holding only a required section's numbered title also opens a section."""
    title, preamble_lines = "", list[str]()
    sections: list[ParsedSection] = []
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        plain = None if match else _plain_heading(line, spec)
        if match and len(match.group(1)) == 1 and not title and not sections:
            title = match.group(2)
        elif (match and len(match.group(1)) == 2) or plain:
            sections.append(ParsedSection(match.group(2) if match else str(plain), ""))
        elif sections:
            sections[-1].body += line + "\n"
        elif not title and line.strip() and not preamble_lines:
            title = line.strip().strip("《》")
        else:
            preamble_lines.append(line)
    return ParsedReport(title, "\n".join(preamble_lines).strip(), sections)


def assign_sections(report: ParsedReport, spec: RequirementSpec) -> None:
    used: set[int] = set()
    for required in spec.sections:
        for position, section in enumerate(report.sections):
            if position not in used and heading_matches(section.heading, required):
                section.required_index = required.index
                used.add(position)
                break


def strip_citations(text: str) -> str:
    return CITATION_MARKER.sub("", text)


def measurable_text(markdown: str) -> str:
    """The prose that counts toward length: no citation markers, no markdown syntax, no table rules."""
    lines = [line for line in markdown.splitlines() if not _TABLE_RULE.match(line)]
    return _MARKDOWN_SYNTAX.sub("", strip_citations("\n".join(lines))).replace("|", " ")


def paragraphs(body: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", body) if block.strip()]


def own_words(text: str) -> str:
    """Text without quoted passages (sources quoted in their own words) and citation markers."""
    return _QUOTED.sub(" ", strip_citations(text))


_BLOCK_START = re.compile(r"^\s*(?:#|[-*+]\s|\d+[.、)]\s?|\||>|\*\*|$)")


def _joined_lines(body: str) -> list[str]:
    """Lines of the body with a paragraph's soft line breaks joined (markdown renders them as one line)."""
    lines: list[str] = []
    for raw in body.splitlines():
        if lines and lines[-1].strip() and not _BLOCK_START.match(raw) and not _TABLE_RULE.match(raw):
            glue = (
                ""
                if re.search(r"[\u3400-\u9fff]$", lines[-1]) and re.match(r"\s*[\u3400-\u9fff]", raw)
                else " "
            )
            lines[-1] = lines[-1].rstrip() + glue + raw.strip()
        else:
            lines.append(raw)
    return lines


def _line_units(body: str) -> list[tuple[str, str, str]]:
    """(line text, heading above it, kind): markdown syntax and table pipes off, sub-headings as context.
    Kind: ``item`` a table row or list item, ``header`` a table's header row, ``text`` anything else (a
    heading is a text unit of its own with empty text: it ends a lead)."""
    units: list[tuple[str, str, str]] = []
    heading = ""
    lines = _joined_lines(body)
    for position, raw in enumerate(lines):
        line = raw.strip()
        if not line or _TABLE_RULE.match(line):
            continue
        match = _HEADING.match(line)
        following = lines[position + 1] if position + 1 < len(lines) else ""
        kind = ("header" if line.startswith("|") and _TABLE_RULE.match(following)
                else "item" if _BLOCK_ITEM.match(line) else "text")
        bold = re.match(r"^(?:[-*+]\s+|\d+[.、)]\s*)?\*\*([^*]{1,60})\*\*\s*(.*)$", line)
        if match:
            heading = match.group(2)
            units.append(("", heading, "text"))
            continue
        if bold:
            heading = bold.group(1)
            line = bold.group(2)
        line = _MARKDOWN_SYNTAX.sub("", line).replace("|", " ").replace("**", "").strip()
        if line:
            units.append((line, heading, kind))
    return units


def _lead_ids(line: str) -> tuple[str, ...]:
    """The citations a table or list after ``line`` shares: a lead sentence ending with a colon, or a
    caption (表1 / Table 1 / 图 / Figure …), cites for its rows and items (issue 24)."""
    text = strip_citations(line).strip()
    if text.endswith((":", "：")) or _CAPTION.match(text):
        return tuple(CITATION_MARKER.findall(line))
    return ()


def sentences_of(body: str, section: int | None) -> list[Sentence]:
    """Every sentence of a section body with the ids it cites; markers right after a sentence's stop
    belong to that sentence; a table row or list item citing nothing of its own takes its lead's."""
    found: list[Sentence] = []
    shared: tuple[str, ...] = ()  # the citations of the lead sentence or caption above a table or list
    for line, heading, kind in _line_units(body):
        if kind == "text":
            shared = _lead_ids(line)
        pieces = split_sentences(line)
        merged: list[str] = []
        for piece in pieces:
            lead = _LEADING_MARKERS.match(piece)
            if lead and merged:
                merged[-1] += lead.group(1)
                piece = piece[lead.end() :].strip()
            if piece:
                merged.append(piece)
        for piece in merged:
            text = strip_citations(piece).strip()
            ids = tuple(CITATION_MARKER.findall(piece)) or (shared if kind == "item" else ())
            if text:
                found.append(Sentence(text, ids, section, heading))
    return found



@dataclass
class ValidationInputs:
    """What the checks are given. ``markdown`` cites with ``[@id]`` (see citation_forms.resolve_citations for
    reports in other forms, whose ``ledger`` then says how each written citation resolved)."""

    markdown: str
    spec: RequirementSpec
    registry: Mapping[str, Mapping[str, Any]]
    drafting_mode: Literal["llm", "extractive"]
    video_status: VideoStatus = "absent"
    video_disclosure: str = ""
    section_budgets: dict[int, int] = field(default_factory=dict)
    support: SupportChecker = field(default_factory=SupportChecker)
    task_text: str = ""
    ledger: CitationLedger | None = None
    facets: dict[int, list[Facet]] | None = None
    # Every record of the task's collection (the registry may hold only what was retrieved): relevance
    # ranks a cited document among all of them.
    collection: Mapping[str, Mapping[str, Any]] | None = None
    # What reading the materials left out (tools/intake/materials.materials_summary: per-PDF unreadable
    # pages, the collection's dropped entries); None when unknown, and materials_read is then not run.
    materials: Mapping[str, Any] | None = None
    # Facets a model proposed (kind "model"), checked apart from the rules' own as a soft item.
    model_facets: dict[int, list[Facet]] | None = None


@dataclass
class Report:
    """The parsed report with its inputs: what each check function takes."""

    inputs: ValidationInputs
    parsed: ParsedReport
    sentences: list[Sentence]

    @property
    def spec(self) -> RequirementSpec:
        return self.inputs.spec

    @property
    def registry(self) -> Mapping[str, Mapping[str, Any]]:
        return self.inputs.registry

    def section(self, index: int) -> ParsedSection | None:
        return next((s for s in self.parsed.sections if s.required_index == index), None)

    def cited(self) -> list[Sentence]:
        return [s for s in self.sentences if s.ids]

    @classmethod
    def of(cls, inputs: ValidationInputs) -> Report:
        parsed = parse_report(inputs.markdown, inputs.spec)
        assign_sections(parsed, inputs.spec)
        sentences = sentences_of(parsed.preamble, None)
        for section in parsed.sections:
            sentences += sentences_of(section.body, section.required_index)
        return cls(inputs, parsed, sentences)


def note(feedback: dict[int, list[str]], index: int | None, message: str) -> None:
    """Add a feedback message for a required section (text outside any section has no one to fix it)."""
    if index is not None:
        feedback.setdefault(index, []).append(message)
