"""report.html: the report as a person reviews it, every citation one click from its source and its verdict.

``review_html(ReviewInputs) -> str`` returns one self-contained HTML page (inline CSS and script, no
network: its Content-Security-Policy allows no fetch at all). The report's Markdown is rendered with
markdown-it-py (CommonMark and tables; raw HTML in a report is shown as text, never run). Citations are read
in every form ``reportgraph check`` reads (citation_forms.resolve_citations), so ``[@id]`` drafts, rendered
``[pdf.pdf p.3]`` reports and a person's numbered references resolve to the same ids the checks used; each
becomes an element carrying ``data-source-id`` and the outcome ``citation_support`` recorded for that
sentence and id (validation.json, figure ``citations``). Sentences are split by the checker's own code
(tools.checking.report), so a sentence here is the sentence the check judged. The page layout and its
assets are in review_page.py; its labels, zh and en, in prompts/review.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgraph.tools.checking.citation_forms import (
    UNRESOLVED_PREFIX,
    CitationLedger,
    WrittenCitation,
    resolve_citations,
)
from reportgraph.tools.checking.report import parse_report, sentences_of
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import CITATION_MARKER, SourceRecord, render_citation
from reportgraph.tools.writing.report import strip_review_banner

# Private-use characters mark citations and sentences through Markdown rendering: a report never holds them
# (they are stripped from the input first) and markdown-it passes them through as text.
CITE_OPEN, CITE_CLOSE = "\ue000", "\ue001"
SENT_OPEN, SENT_MID, SENT_CLOSE = "\ue002", "\ue003", "\ue004"
_PRIVATE = re.compile("[\ue000-\ue004]")
PLACEHOLDER = re.compile(f"{CITE_OPEN}(\\d+){CITE_CLOSE}")
# A sentence is highlighted only where its text crosses no inline Markdown (emphasis, code, links, cells):
# a highlight must not straddle an element markdown-it makes.
_INLINE_SYNTAX = re.compile(r"[*`<>\[\]|\n]")
OUTCOMES = ("supported", "unsupported", "unverified")


@dataclass
class ReviewInputs:
    """What the page is made from.

    ``markdown``: the report (any citation form ``reportgraph check`` reads; a needs_review banner line is
    taken off, the page has its own). ``registry``: source id → record (sources.json entries or a run's
    registry). ``validation``: validation.json's content. ``spec``: the task's requirements (section anchors
    and the page language; without it the page is in ``language``). ``task_link``: the task folder relative
    to the page's folder, for links to PDF pages and video times. ``note``: the process note (what drafted
    the report), shown apart from the report and taken out of its body when it stands there."""

    markdown: str
    registry: Mapping[str, Mapping[str, Any]]
    validation: Mapping[str, Any] = field(default_factory=dict)
    spec: RequirementSpec | None = None
    language: str = "en"
    task_link: str = ""
    note: str = ""


@dataclass
class Citation:
    """One citation as placed in the report: the id it resolved to (``resolved`` False when it did not), the
    label shown, the sentence it belongs to and that sentence's outcome for this id."""

    index: int
    source_id: str
    label: str
    resolved: bool
    outcome: str = "unchecked"  # supported | unsupported | unverified | unresolved | unchecked
    method: str = ""
    reason: str = ""
    sentence: str = ""
    sentence_anchor: str = ""
    problem: str = ""


@dataclass
class Highlight:
    """A sentence marked in place: uncited claim or a sentence with a citation not found supported."""

    text: str
    kind: str  # "claim" | "bad"
    anchor: str = ""


@dataclass
class ReviewModel:
    """The report ready for the page: Markdown with placeholders, its citations and the records they cite."""

    body: str
    citations: list[Citation]
    records: dict[str, dict[str, Any]]
    highlights: list[Highlight]
    language: str


def task_link(task_dir: Path, page_dir: Path) -> str:
    """The task folder as a link relative to the folder the page is written in ("." when the same)."""
    return Path(os.path.relpath(task_dir.resolve(), page_dir.resolve())).as_posix()


def check_named(validation: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The check ``name`` of a validation.json (empty when absent)."""
    return next((c for c in validation.get("checks") or [] if c.get("name") == name), {})


def _outcomes(validation: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(sentence, id) → the outcome citation_support recorded for it."""
    figure = check_named(validation, "citation_support").get("figure") or {}
    return {(str(c.get("sentence", "")), str(c.get("id", ""))): c for c in figure.get("citations") or []}


def _without_note(markdown: str, note: str) -> str:
    """The report's text without the process note's paragraph (it is shown on the page apart)."""
    if not note.strip():
        return markdown
    return re.sub(rf"(?m)^{re.escape(note.strip())}[ \t]*\n?", "", markdown, count=1)


def _number_markers(markdown: str) -> tuple[str, list[str]]:
    """Each ``[@id]`` renamed ``[@m<n>]`` (n: its place in the report), and the ids in that order."""
    ids: list[str] = []

    def rename(match: re.Match[str]) -> str:
        ids.append(match.group(1))
        return f"[@m{len(ids) - 1}]"

    return CITATION_MARKER.sub(rename, markdown), ids


def _sentence_of_marker(numbered: str, spec: RequirementSpec | None) -> dict[int, str]:
    """Marker number → the text of the sentence it belongs to, split as the checks split it."""
    parsed = parse_report(numbered, spec)
    found: dict[int, str] = {}
    for body in [parsed.preamble, *(s.body for s in parsed.sections)]:
        for sentence in sentences_of(body, None):
            for marker in sentence.ids:
                found[int(marker[1:])] = sentence.text
    return found


def _written(source_id: str, ledger: CitationLedger) -> WrittenCitation | None:
    """The written citation behind an id that did not resolve."""
    if source_id.startswith(UNRESOLVED_PREFIX):  # resolve_citations numbers these by ledger position
        return ledger.citations[int(source_id.removeprefix(UNRESOLVED_PREFIX)) - 1]
    return ledger.problem_of(source_id)


def _label(source_id: str, records: Mapping[str, Mapping[str, Any]], ledger: CitationLedger) -> str:
    if source_id in records:
        return render_citation(SourceRecord.model_validate(records[source_id]))
    written = _written(source_id, ledger)
    text = written.written if written else f"@{source_id}"
    return text if text.startswith("[") else f"[{text}]"


def _citation(
    index: int, source_id: str, sentence: str, records: Mapping[str, Mapping[str, Any]],
    ledger: CitationLedger, outcomes: Mapping[tuple[str, str], Mapping[str, Any]],
) -> Citation:
    resolved = source_id in records
    cited = Citation(index, source_id, _label(source_id, records, ledger), resolved, sentence=sentence)
    if not resolved:
        written = _written(source_id, ledger)
        cited.outcome = "unresolved"
        cited.problem = written.problem if written else f"no source with id {source_id}"
        return cited
    verdict = outcomes.get((sentence, source_id))
    if verdict is not None and verdict.get("outcome") in OUTCOMES:
        cited.outcome = str(verdict["outcome"])
        cited.method, cited.reason = str(verdict.get("method", "")), str(verdict.get("reason", ""))
    return cited


def _highlights(validation: Mapping[str, Any], citations: list[Citation]) -> list[Highlight]:
    """Uncited claims (claims_cited) and sentences with a citation not found supported, in that order."""
    figure = check_named(validation, "claims_cited").get("figure") or {}
    found = [Highlight(str(c.get("sentence", "")), "claim") for c in figure.get("claims") or []]
    bad = {c.sentence for c in citations if c.outcome in ("unsupported", "unverified", "unresolved")}
    found += [Highlight(text, "bad") for text in dict.fromkeys(c.sentence for c in citations) if text in bad]
    return [h for h in found if h.text.strip()]


def review_model(inputs: ReviewInputs) -> ReviewModel:
    """Resolve the report's citations and attach each one's record and outcome (see the module's doc)."""
    text = _PRIVATE.sub("", _without_note(strip_review_banner(inputs.markdown), inputs.note))
    resolved, ledger = resolve_citations(text, inputs.registry)
    records = {key: dict(value) for key, value in {**inputs.registry, **ledger.records}.items()}
    numbered, ids = _number_markers(resolved)
    sentences = _sentence_of_marker(numbered, inputs.spec)
    outcomes = _outcomes(inputs.validation)
    citations = [
        _citation(n, source_id, sentences.get(n, ""), records, ledger, outcomes)
        for n, source_id in enumerate(ids)
    ]
    body = re.sub(r"\[@m(\d+)\]", lambda m: f"{CITE_OPEN}{m.group(1)}{CITE_CLOSE}", numbered)
    highlights = _highlights(inputs.validation, citations)
    body = mark_sentences(body, highlights)
    anchors = {h.text: h.anchor for h in reversed(highlights) if h.anchor}
    for cited in citations:
        cited.sentence_anchor = anchors.get(cited.sentence, "")
    cited_records = {c.source_id: records[c.source_id] for c in citations if c.resolved}
    language = inputs.spec.language if inputs.spec is not None else inputs.language
    return ReviewModel(body, citations, cited_records, highlights, language)


def _shadow(body: str) -> tuple[str, list[int]]:
    """``body`` without citation placeholders, and for each of its characters the position in ``body``."""
    kept: list[str] = []
    positions: list[int] = []
    skip = False
    for position, char in enumerate(body):
        if char == CITE_OPEN:
            skip = True
        elif char == CITE_CLOSE:
            skip = False
        elif not skip:
            kept.append(char)
            positions.append(position)
    return "".join(kept), positions


def mark_sentences(body: str, highlights: list[Highlight]) -> str:
    """``body`` with each highlighted sentence between sentinels (its anchor number set on the highlight);
    a sentence whose text is not found as written, or crosses inline Markdown, is left unmarked (the banner
    still lists it)."""
    shadow, positions = _shadow(body)
    spans: list[tuple[int, int, int]] = []
    for number, highlight in enumerate(highlights):
        start = shadow.find(highlight.text)
        while start != -1 and any(a < start + len(highlight.text) and start < b for a, b, _ in spans):
            start = shadow.find(highlight.text, start + 1)
        if start == -1:
            continue
        first, last = positions[start], positions[start + len(highlight.text) - 1] + 1
        if _INLINE_SYNTAX.search(body[first:last]):
            continue
        spans.append((start, start + len(highlight.text), number))
        highlight.anchor = f"sent-{number}"
    for start, end, number in sorted(spans, reverse=True):
        first, last = positions[start], positions[end - 1] + 1
        body = f"{body[:first]}{SENT_OPEN}{number}{SENT_MID}{body[first:last]}{SENT_CLOSE}{body[last:]}"
    return body
