"""The whole spec: every rule over the task, what none understood, and a model's reading merged in."""

from __future__ import annotations

import json

from reportgraph.tools.intake.spec.citation_rules import parse_citations
from reportgraph.tools.intake.spec.coverage import unparsed_spans
from reportgraph.tools.intake.spec.language import parse_language
from reportgraph.tools.intake.spec.length import parse_length
from reportgraph.tools.intake.spec.model import (
    CJK_CHARS_PER_PAGE,
    WORDS_PER_PAGE,
    CitationRules,
    Disagreement,
    RequirementSpec,
)
from reportgraph.tools.intake.spec.sections import parse_sections
from reportgraph.tools.intake.spec.topic import parse_topic
from reportgraph.tools.intake.spec.wording import parse_soft, parse_title

# Full-width digits and Latin letters (１２００ｗｏｒｄｓ) read as ASCII, one character for one.
FULL_WIDTH = {
    code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def parse_requirements(
    task_text: str, *, words_per_page: int = WORDS_PER_PAGE, chars_per_page: int = CJK_CHARS_PER_PAGE
) -> RequirementSpec:
    """Read the requirements of a task prompt (zh or en) with deterministic rules.

    A length in pages is kept in pages, counted at ``words_per_page`` (English) or ``chars_per_page`` (字).
    ``unparsed`` lists the requirement-like spans no rule understood (see coverage).
    """
    task_text = task_text.translate(FULL_WIDTH)
    outline = parse_sections(task_text, "en")  # the language only picks the default outline
    language = parse_language(task_text, outline.spans if outline.from_task else None)
    sections = outline if outline.from_task else parse_sections(task_text, language)
    per_page = words_per_page if language == "en" else chars_per_page
    titles = tuple(s.title for s in sections.sections) if sections.from_task else ()
    length = parse_length(task_text, language, per_page, len(titles) or None, titles)
    title = parse_title(task_text)
    soft = parse_soft(task_text)
    boilerplate = [
        *soft,
        *(s.title for s in sections.sections if sections.from_task),
        *([length.requirement.source_text] if length.requirement else []),
    ]
    return RequirementSpec(
        language=language,
        title=title,
        sections=sections.sections,
        sections_from_task=sections.from_task,
        length=length.requirement,
        citations=parse_citations(task_text),
        soft=soft,
        topic=parse_topic(task_text, title, language, boilerplate),
        parsed_by="rules",
        unparsed=unparsed_spans(task_text, length.spans, sections.spans, length.unused),
    )


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def disagreements(rules: RequirementSpec, llm: RequirementSpec) -> list[Disagreement]:
    """Fields both readings hold that differ; the rules' reading is the one kept."""
    found = []
    if rules.language != llm.language:
        found.append(Disagreement(field="language", rules=rules.language, model=llm.language, kept="rules"))
    if rules.sections_from_task and llm.sections:
        ours, theirs = [s.title for s in rules.sections], [s.title for s in llm.sections]
        if ours != theirs:
            found.append(Disagreement(field="sections", rules=_dump(ours), model=_dump(theirs), kept="rules"))
    if rules.length and llm.length:
        ours_l = (rules.length.min, rules.length.max, rules.length.unit)
        theirs_l = (llm.length.min, llm.length.max, llm.length.unit)
        if ours_l != theirs_l:
            found.append(
                Disagreement(field="length", rules=_dump(ours_l), model=_dump(theirs_l), kept="rules")
            )
    if rules.title and llm.title and rules.title != llm.title:
        found.append(Disagreement(field="title", rules=rules.title, model=llm.title, kept="rules"))
    return found


def filled(rules: RequirementSpec, llm: RequirementSpec) -> list[Disagreement]:
    """Fields the rules did not read and the model did: kept from the model, and said so."""
    found = []
    if not rules.sections_from_task and llm.sections and llm.sections_from_task:
        model = _dump([s.title for s in llm.sections])
        found.append(Disagreement(field="sections", rules="null", model=model, kept="model"))
    if rules.length is None and llm.length is not None:
        model = _dump((llm.length.min, llm.length.max, llm.length.unit))
        found.append(Disagreement(field="length", rules="null", model=model, kept="model"))
    return found


def merge_llm_spec(rules: RequirementSpec, llm: RequirementSpec) -> RequirementSpec:
    """Fill the gaps of the rule-based spec from an LLM reading; never override what the rules parsed.

    Where both read a field and differ, and where the model filled a field the rules left empty, the
    spec's ``disagreements`` say so. ``unparsed`` is kept: the model's reading of a span is not a check.
    """
    use_llm_sections = not rules.sections_from_task and bool(llm.sections)
    return rules.model_copy(
        update={
            "title": rules.title or llm.title,
            "sections": llm.sections if use_llm_sections else rules.sections,
            # The model's sections stand in for the default outline; they are the task's only if it says so.
            "sections_from_task": rules.sections_from_task or (use_llm_sections and llm.sections_from_task),
            "length": rules.length or llm.length,
            "citations": CitationRules(
                required=rules.citations.required or llm.citations.required,
                per_section=rules.citations.per_section or llm.citations.per_section,
                must_cite=list(dict.fromkeys([*rules.citations.must_cite, *llm.citations.must_cite])),
            ),
            "soft": list(dict.fromkeys([*rules.soft, *llm.soft])),
            "topic": rules.topic or llm.topic,
            "parsed_by": "rules+llm",
            "disagreements": [*disagreements(rules, llm), *filled(rules, llm)],
        }
    )
