"""The hard checks of a report against its task, in order. Code, not a model, decides pass or fail.

Each check is a function ``(Report) -> CheckResult | None`` (None: not applicable to this task) in the
module of its family: structure (sections, title, length, language, requirements understood), citing
(resolution and forms, sections cited, materials cited), grounding (sentence-level citations, support),
relevance, substance (facets), hygiene (repetition, fragments, leftovers and process talk) and disclosure
(an unanalysed video, materials left unread). ``validate_report`` runs them all and gathers their feedback
per section; the graph's validate step, ``reportgraph check`` and the MCP ``validate_report`` tool
all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reportgraph.tools.checking.citation_checks import (
    check_citations_resolve,
    check_required_materials,
    check_sections_cited,
)
from reportgraph.tools.checking.citation_forms import resolve_citations
from reportgraph.tools.checking.disclosure import (
    check_invented_video,
    check_materials_read,
    check_video_disclosure,
)
from reportgraph.tools.checking.grounding import check_claims_cited, check_support
from reportgraph.tools.checking.hygiene import check_artefacts, check_fragments, check_repetition
from reportgraph.tools.checking.relevance import check_relevance
from reportgraph.tools.checking.report import CheckResult, Report, ValidationInputs, ValidationResult
from reportgraph.tools.checking.structure import (
    check_language,
    check_length,
    check_requirements_understood,
    check_sections,
    check_title,
)
from reportgraph.tools.checking.substance import check_model_facets, check_substance

Check = Callable[[Report], CheckResult | None]

CHECKS: tuple[Check, ...] = (
    check_requirements_understood,
    check_sections,
    check_title,
    check_length,
    check_language,
    check_citations_resolve,
    check_claims_cited,
    check_support,
    check_relevance,
    check_sections_cited,
    check_required_materials,
    check_substance,
    check_model_facets,
    check_repetition,
    check_fragments,
    check_artefacts,
    check_video_disclosure,
    check_invented_video,
    check_materials_read,
)

# Checks that apply only when the task asks for them: when one returns None it is listed, never dropped,
# as "not required by the task" with the reason (issue 25: a citation rule misread as a wish silently
# removed claims_cited and sections_cited from validation.json).
NOT_REQUIRED: dict[Check, tuple[str, str]] = {
    check_title: ("title", "the task asks for no title"),
    check_length: ("length", "the task states no length"),
    check_claims_cited: ("claims_cited", "the task does not ask for sources (spec.citations.required false)"),
    check_sections_cited: (
        "sections_cited",
        "the task does not ask every section to cite (spec.citations.required or per_section false)",
    ),
    check_required_materials: ("required_materials_cited", "the task names no material it must cite"),
}


def not_required(check: Check) -> CheckResult | None:
    """The entry of a task-dependent check the task does not ask for: advisory, passed, with the reason."""
    if check not in NOT_REQUIRED:
        return None
    name, reason = NOT_REQUIRED[check]
    return CheckResult(name=name, passed=True, hard=False, detail=f"not required by the task: {reason}",
                       figure={"required": False, "reason": reason, "method": "not run: read from the task"})


def validate_report(inputs: ValidationInputs, checks: tuple[Check, ...] = CHECKS) -> ValidationResult:
    """Run ``checks`` on the report; it passes when no hard check fails. Feedback: section index → fixes.

    Citations in any known form (citation_forms.py) are first resolved against ``inputs.registry``; the
    records made for cited pages, time ranges and documents join the registry the checks read."""
    if inputs.ledger is None:
        markdown, ledger = resolve_citations(inputs.markdown, inputs.registry)
        inputs = replace(
            inputs, markdown=markdown, registry={**inputs.registry, **ledger.records}, ledger=ledger
        )
    report = Report.of(inputs)
    results = [result for check in checks if (result := check(report) or not_required(check)) is not None]
    feedback: dict[int, list[str]] = {}
    for result in results:
        if not result.passed:
            for index, messages in result.feedback.items():
                feedback.setdefault(index, []).extend(messages)
    passed = all(result.passed for result in results if result.hard)
    return ValidationResult(
        passed=passed,
        checks=results,
        feedback={str(index): messages for index, messages in sorted(feedback.items())},
    )


def validation_summary(result: ValidationResult) -> dict[str, Any]:
    """The part of validation.json every surface writes: each check with its figure, the unmet items and
    the feedback per section."""
    return {
        "hard_checks_passed": result.passed,
        "unmet": [f"{check.name}: {check.detail}" for check in result.failed],
        "checks": [check.model_dump() for check in result.checks],
        "feedback": result.feedback,
    }
