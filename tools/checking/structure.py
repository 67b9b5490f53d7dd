"""Structure, length and language checks: the sections the task asks for, its length, its language, and
whether the task itself was understood."""

from __future__ import annotations

import re
from typing import Any

from reportgraph.tools.checking.report import (
    CheckResult,
    Report,
    _normal,
    measurable_text,
    note,
    paragraphs,
    strip_citations,
)
from reportgraph.tools.text import count_length, language_shares, language_unit, split_sentences

# The task's language must make up this share of the whole text, quotes included (issue 11).
MIN_LANGUAGE_SHARE = 0.9
# A sentence in the other language at least this long (English words in a Chinese report, Chinese
# characters in an English one) is off-language even inside a paragraph in the right language.
MIN_FOREIGN_SENTENCE = {"en": 8, "zh": 10}
MAX_OWN_SHARE_OF_FOREIGN = 0.3
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*")


def check_sections(report: Report) -> CheckResult:
    spec = report.spec
    feedback: dict[int, list[str]] = {}
    found = [s.heading for s in report.parsed.sections]
    order = [s.required_index for s in report.parsed.sections if s.required_index is not None]
    missing = [r for r in spec.sections if r.index not in order]
    extra = [s.heading for s in report.parsed.sections if s.required_index is None]
    in_order = order == sorted(order)
    for required in missing:
        note(
            feedback,
            required.index,
            f"Section missing: write it under the exact heading '{required.heading}'.",
        )
    if not in_order:
        for index in order:
            note(feedback, index, "Sections are out of order: keep the required order.")
    passed = not missing and not extra and in_order
    detail = (
        "all required sections present, in order, nothing extra"
        if passed
        else f"missing {[r.heading for r in missing]}; extra {extra}; in order: {in_order}"
    )
    return CheckResult(
        name="sections",
        passed=passed,
        detail=detail,
        sections=[r.index for r in missing],
        feedback=feedback,
        figure={
            "required": [r.heading for r in spec.sections],
            "found": found,
            "method": "level-2 headings (or lines holding only a numbered required title) matched to the "
            "task's section titles, normalised",
        },
    )


def check_title(report: Report) -> CheckResult | None:
    if not report.spec.title:
        return None
    passed = _normal(report.spec.title) in _normal(report.parsed.title)
    return CheckResult(
        name="title",
        passed=passed,
        figure={
            "required": report.spec.title,
            "found": report.parsed.title,
            "method": "normalised containment",
        },
        detail="title as required" if passed else "the report's title is not the one the task asks for",
    )


def check_length(report: Report) -> CheckResult | None:
    # A length in pages is counted in the words or 字 a page holds (LengthRequirement.in_text_unit).
    requirement = report.spec.length.in_text_unit() if report.spec.length else None
    if requirement is None:
        return None
    total = count_length(measurable_text(report.inputs.markdown), requirement.unit)
    passed = requirement.contains(total)
    per_section = {
        s.required_index: count_length(measurable_text(s.body), requirement.unit)
        for s in report.parsed.sections
        if s.required_index is not None
    }
    figure: dict[str, Any] = {
        "count": total,
        "min": requirement.min,
        "max": requirement.max,
        "unit": requirement.unit,
        "method": "whole report without citations and markdown syntax; "
        + (
            "CJK characters plus Latin words/numbers" if requirement.unit == "cjk_chars" else requirement.unit
        ),
        "sections": {str(k): v for k, v in per_section.items()},
    }
    feedback: dict[int, list[str]] = {}
    implicated: list[int] = []
    if not passed:
        short = requirement.min is not None and total < requirement.min
        gap = (requirement.min or 0) - total if short else total - (requirement.max or total)
        implicated = _length_culprits(report, per_section, short, gap, feedback)
    detail = f"{total} {requirement.unit} (required {requirement.min}–{requirement.max})"
    return CheckResult(
        name="length", passed=passed, figure=figure, detail=detail, sections=implicated, feedback=feedback
    )


def _length_culprits(
    report: Report, per_section: dict[int, int], short: bool, gap: int, feedback: dict[int, list[str]]
) -> list[int]:
    """The fewest sections whose distance from their budget covers the gap get the feedback."""
    spec = report.spec
    target = spec.length.target if spec.length else 0
    budgets = report.inputs.section_budgets or {i: target // max(1, len(spec.sections)) for i in per_section}
    deviation = {
        index: (budgets.get(index, 0) - length) if short else (length - budgets.get(index, 0))
        for index, length in per_section.items()
    }
    culprits: list[int] = []
    covered = 0
    for index, dev in sorted(deviation.items(), key=lambda kv: -kv[1]):
        if dev <= 0 or covered >= gap:
            break
        culprits.append(index)
        covered += dev
    if not culprits:  # every section met its budget, yet the whole is off: all share the change
        culprits = list(per_section)
    unit = spec.length.text_unit if spec.length else language_unit(spec.language)
    verb, change = ("too short", "add") if short else ("too long", "cut")
    for index in culprits:
        amount = deviation[index] if deviation[index] > 0 else -(-gap // len(culprits))
        aim = per_section[index] + (amount if short else -amount)
        note(
            feedback,
            index,
            f"Report {verb} by {gap} {unit}: {change} about {amount} {unit} here "
            f"(section now {per_section[index]}, aim for about {max(aim, 0)}).",
        )
    return culprits


def prose_of(text: str, wanted: str) -> str:
    """``text`` without names, titles and acronyms (capitalised words) when the report is Chinese: a
    paper's English title or its authors' names are not English prose."""
    return _CAPITALISED.sub(" ", text) if wanted == "zh" else text


def foreign_sentence(sentence: str, wanted: str) -> bool:
    """A sentence written in the other language: long enough, and the task's language under
    MAX_OWN_SHARE_OF_FOREIGN of it (a Chinese sentence naming an English title is still Chinese)."""
    shares = language_shares(prose_of(sentence, wanted))
    own = shares.zh if wanted == "zh" else shares.en
    other = "en" if wanted == "zh" else "zh"
    unit = language_unit(other)
    return own < MAX_OWN_SHARE_OF_FOREIGN and count_length(sentence, unit) >= MIN_FOREIGN_SENTENCE[other]


def check_language(report: Report) -> CheckResult:
    """The task's language makes up ≥ MIN_LANGUAGE_SHARE of the whole text, quotes included (an extractive
    report quoting sources in another language cannot reach it and ends needs_review, saying so), and no
    sentence of some length is in the other language."""
    wanted = report.spec.language
    feedback: dict[int, list[str]] = {}
    off_language: list[int] = []
    foreign_count = 0
    for section in report.parsed.sections:
        for paragraph in paragraphs(section.body):
            foreign = [s for s in split_sentences(strip_citations(paragraph)) if foreign_sentence(s, wanted)]
            foreign_count += len(foreign)
            if foreign and section.required_index is not None:
                off_language.append(section.required_index)
    whole = language_shares(prose_of(measurable_text(report.inputs.markdown), wanted))
    share = whole.zh if wanted == "zh" else whole.en
    whole_ok = share >= MIN_LANGUAGE_SHARE
    name = "Chinese" if wanted == "zh" else "English"
    for index in sorted(set(off_language)):
        note(
            feedback, index, f"Write this section in {name}, quotes included: translate what the sources say."
        )
    if not whole_ok and not off_language:
        for section in report.parsed.sections:
            note(
                feedback, section.required_index, f"Too much text outside {name}: translate quoted passages."
            )
    detail = (
        f"{share:.0%} of the text in {name} (required ≥ {MIN_LANGUAGE_SHARE:.0%}); "
        f"{foreign_count} sentences in another language"
    )
    if not whole_ok and report.inputs.drafting_mode == "extractive":
        detail += "; an extractive report quotes its sources verbatim and cannot translate them"
    return CheckResult(
        name="language",
        passed=whole_ok and not off_language,
        detail=detail,
        feedback=feedback,
        sections=sorted(set(off_language)),
        figure={
            "required": wanted,
            "mode": report.inputs.drafting_mode,
            "share_whole_text": {"zh": whole.zh, "en": whole.en},
            "min_share": MIN_LANGUAGE_SHARE,
            "off_language_sentences": foreign_count,
            "method": "character shares (a CJK character weighs 3 Latin letters) of the whole text without "
            "citations (in a Chinese report also without capitalised names and titles), quotes included; "
            "sentences split and their language detected one by one",
        },
    )


def check_requirements_understood(report: Report) -> CheckResult:
    """Parts of the task the requirement parser could not read: the product cannot know it met them."""
    unparsed = list(report.spec.unparsed)
    return CheckResult(
        name="requirements_understood",
        passed=not unparsed,
        figure={"unparsed": unparsed, "method": "phrases of the task the requirement parser left unread"},
        detail="every requirement of the task was read"
        if not unparsed
        else f"{len(unparsed)} requirement(s) not understood: a person must check them",
    )
