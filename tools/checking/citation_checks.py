"""Citation checks: every citation resolves to a place in the task's materials, in a form the checker
knows; every section cites; the materials the task names are cited."""

from __future__ import annotations

from reportgraph.tools.checking.citation_forms import CitationLedger, product_ledger
from reportgraph.tools.checking.report import CheckResult, Report, note
from reportgraph.tools.intake.spec import FOCUS_OF_KIND
from reportgraph.tools.registry import CITATION_MARKER


def _ledger(report: Report) -> CitationLedger:
    return report.inputs.ledger or product_ledger(report.inputs.markdown, report.registry)


def check_citations_resolve(report: Report) -> CheckResult:
    """Each citation names a page, time range, document or id the task folder has; forms are counted."""
    ledger = _ledger(report)
    feedback: dict[int, list[str]] = {}
    placed = [(s.section, cited) for s in report.sentences for cited in s.ids]
    unresolved = [(index, cited) for index, cited in placed if cited not in report.registry]
    problems = {}
    for index, cited in unresolved:
        written = ledger.problem_of(cited)
        message = written.problem if written else f"no source with id {cited}"
        problems[cited] = (written.written if written else f"@{cited}", message)
        note(
            feedback,
            index,
            f"Citation [{problems[cited][0]}] does not resolve ({message}): cite a page, time "
            "range or document of the task's materials that says it.",
        )
    total = len(ledger.citations)
    resolved = sum(not citation.problem for citation in ledger.citations)  # written citations, not ids
    passed = (total > 0 or not report.spec.citations.required) and not unresolved
    unknown = [c.written for c in ledger.citations if c.form == "unknown"]
    return CheckResult(
        name="citations_resolve",
        passed=passed,
        feedback=feedback,
        sections=sorted({i for i, _ in unresolved if i is not None}),
        detail=(
            f"{resolved}/{total} citations resolve in the task's materials"
            if total or not report.spec.citations.required
            else "the report cites nothing, and the task asks for its sources"
        )
        + (f"; unknown forms: {unknown[:5]}" if unknown else ""),
        figure={
            "citations": total,
            "forms": ledger.forms(),
            "distinct": len({c for _, c in placed}),
            "unresolved": [{"citation": w, "problem": p} for w, p in problems.values()],
            "unknown_forms": unknown,
            "method": "each written citation parsed by form (id, pdf page, video time range, document, "
            "chunk, numbered with reference list) and looked up in the folder's registry",
        },
    )


def check_sections_cited(report: Report) -> CheckResult | None:
    rules = report.spec.citations
    if not (rules.required and rules.per_section):
        return None
    feedback: dict[int, list[str]] = {}
    uncited = [
        s.required_index
        for s in report.parsed.sections
        if s.required_index is not None and not CITATION_MARKER.search(s.body)
    ]
    for index in uncited:
        note(feedback, index, "This section cites nothing: support its statements with citations.")
    return CheckResult(
        name="sections_cited",
        passed=not uncited,
        feedback=feedback,
        sections=uncited,
        figure={"sections_without_citations": uncited, "method": "a citation marker anywhere in the section"},
        detail="every section cites its sources" if not uncited else f"sections {uncited} cite nothing",
    )


def check_required_materials(report: Report) -> CheckResult | None:
    must = report.spec.citations.must_cite
    if not must:
        return None
    registry, video_status = report.registry, report.inputs.video_status
    feedback: dict[int, list[str]] = {}
    cited_kinds = {str(registry[c].get("kind")) for s in report.sentences for c in s.ids if c in registry}
    available = {str(r.get("kind")) for r in registry.values()}
    disclosure = report.inputs.video_disclosure.strip()
    disclosed = bool(disclosure) and disclosure in report.inputs.markdown
    missing = [
        kind
        for kind in must
        if kind not in cited_kinds
        and not (kind == "video" and video_status in ("failed", "absent") and disclosed)
    ]
    unreadable = unreadable_files(report) if "pdf" in missing and "pdf" not in available else {}
    for kind in missing:
        if kind == "pdf" and unreadable:
            continue  # no redraft can cite a file nobody could read: the detail says so, for review
        focus = FOCUS_OF_KIND.get(kind)
        targets = [r.index for r in report.spec.sections if r.focus == focus] or [
            r.index for r in report.spec.sections
        ][:1]
        why = "" if kind in available else " (no such evidence was available)"
        for index in targets:
            note(feedback, index, f"The task asks for the {kind} to be used: cite it here{why}.")
    unread = "; ".join(f"{file} could not be read ({reason}): nothing of it can be cited"
                       for file, reason in unreadable.items())
    return CheckResult(
        name="required_materials_cited",
        passed=not missing,
        feedback=feedback,
        figure={
            "required": list(must),
            "cited_kinds": sorted(cited_kinds),
            "video_status": video_status,
            "unreadable_files": unreadable,
            "method": "kinds of the resolved citations against the materials the task names",
        },
        detail="every material the task names is cited" if not missing
        else "; ".join([f"not cited: {missing}", *([unread] if unread else [])]),
    )


def unreadable_files(report: Report) -> dict[str, str]:
    """PDF file → why it could not be opened at all (encrypted, damaged), from the materials summary."""
    materials = report.inputs.materials or {}
    return {str(pdf["file"]): str(pdf["unreadable_file"]["reason"])
            for pdf in materials.get("pdfs", []) if pdf.get("unreadable_file")}
