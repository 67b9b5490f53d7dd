"""Section substance: each section covers the facets its heading and the task ask for (facets.py), each
explained by cited sentences; a talk section cites the talk with time ranges."""

from __future__ import annotations

from reportgraph.tools.checking.report import CheckResult, Report, Sentence, note
from reportgraph.tools.intake.paper import authors_in_record
from reportgraph.tools.intake.spec.facets import Facet, mentions, section_facets


def _time_ranged(report: Report, sentence: Sentence) -> bool:
    for cited in sentence.ids:
        record = report.registry.get(cited)
        if record and record.get("kind") == "video" and record.get("segment") != "metadata":
            start, end = record.get("start_s"), record.get("end_s")
            if start is not None and end is not None and float(end) > float(start):
                return True
    return False


def covering(report: Report, facet: Facet, sentences: list[Sentence]) -> int:
    """How many cited sentences explain ``facet``: they name it (or stand under a sub-heading that does);
    for a talk facet, they cite the talk with a time range."""
    cited = [s for s in sentences if s.ids]
    if facet.evidence == "video_time_range":
        return sum(1 for s in cited if _time_ranged(report, s))
    names = _paper_authors(report) if facet.name == "authors" else []
    # A bold label and its value ("**作者**：A、B") or a sub-heading and its sentence are read together:
    # the label names the facet, the value carries its substance (names, for authors).
    return sum(1 for s in cited if mentions(facet, s.text) or _names_authors(s.text, names)
               or (s.heading and (mentions(facet, s.heading) or mentions(facet, f"{s.heading}{s.text}"))))


def _paper_authors(report: Report) -> list[str]:
    """The authors the task's papers list on their page-1 records, as the registry holds them."""
    return [name for record in report.registry.values()
            if record.get("kind") == "pdf" and record.get("segment") == "metadata"
            for name in authors_in_record(str(record.get("text", "")))]


def _names_authors(text: str, names: list[str]) -> bool:
    """Whether ``text`` names the paper's authors by name, with no label: at least two of them (the one
    author of a single-author paper), each by its family name."""
    if not names:
        return False
    named = sum(1 for name in names if name.split()[-1] in text)
    return named >= min(2, len(names))


def coverage(
    report: Report, facets: dict[int, list[Facet]]
) -> tuple[dict[str, dict[str, int]], list[tuple[int, Facet]]]:
    """(section → facet → cited sentences covering it, the (section, facet) pairs under their minimum);
    section 0 means the whole report."""
    covered: dict[str, dict[str, int]] = {}
    missing: list[tuple[int, Facet]] = []
    for index, wanted in sorted(facets.items()):
        sentences = [s for s in report.sentences if index == 0 or s.section == index]
        for facet in wanted:
            count = covering(report, facet, sentences)
            covered.setdefault(str(index), {})[facet.name] = count
            if count < facet.min_sentences:
                missing.append((index, facet))
    return covered, missing


def _without_unanalysed_talk(
    report: Report, facets: dict[int, list[Facet]]
) -> tuple[dict[int, list[Facet]], list[str]]:
    """``facets`` less the talk points of a video that could not be analysed, when the report discloses it;
    and the names of those left out, as ``"<facet> (section N)"``."""
    disclosure = report.inputs.video_disclosure.strip()
    if report.inputs.video_status != "failed" or not disclosure or disclosure not in report.inputs.markdown:
        return facets, []
    kept = {i: [f for f in fs if f.evidence != "video_time_range"] for i, fs in facets.items()}
    waived = [f"{f.name} (section {i or 'any'})" for i, fs in facets.items() for f in fs
              if f.evidence == "video_time_range"]
    return kept, waived


def check_substance(report: Report) -> CheckResult | None:
    facets = report.inputs.facets
    if facets is None:
        facets = section_facets(report.spec, report.inputs.task_text)
    if not facets:
        return None
    facets, waived = _without_unanalysed_talk(report, facets)
    feedback: dict[int, list[str]] = {}
    covered, missing = coverage(report, facets)
    for index, facet in missing:
        what = (
            "cite the talk's points with their time ranges"
            if facet.evidence == "video_time_range"
            else f"explain “{facet.name}” with at least {facet.min_sentences} cited sentence(s)"
        )
        note(feedback, index or None, f"Missing facet “{facet.name}”: {what}.")
        if index == 0:
            for section in report.spec.sections:
                note(
                    feedback,
                    section.index,
                    f"The task asks for “{facet.name}” to be explained, with citations.",
                )
    names = [f"{f.name} (section {i or 'any'})" for i, f in missing]
    return CheckResult(
        name="section_substance",
        passed=not missing,
        feedback=feedback,
        sections=sorted({i for i, _ in missing if i}),
        detail="every section covers what its heading and the task ask for"
        if not missing
        else f"missing: {', '.join(names)}",
        figure={
            "facets": {str(i): [f.name for f in fs] for i, fs in sorted(facets.items())},
            "facet_sources": _sources(facets),
            "cited_sentences_per_facet": covered,
            "missing": names,
            # A talk no analysis could read has no time ranges to cite: its points are not asked for when
            # the report says what could not be analysed (video_disclosure checks that it does).
            "waived": waived,
            "method": "facets from the task's example lists and a zh/en table of section kinds; a facet "
            "counts when enough cited sentences of its section name it (or stand under a "
            "sub-heading naming it); a talk section needs citations with time ranges",
        },
    )


def _sources(facets: dict[int, list[Facet]]) -> list[dict[str, str | int]]:
    """Each facet with where it came from: ``rules`` (task words, section-kind table) or ``model``."""
    return [{"section": i, "name": f.name, "source": "model" if f.kind == "model" else "rules"}
            for i, fs in sorted(facets.items()) for f in fs]


def check_model_facets(report: Report) -> CheckResult | None:
    """Facets a model proposed, recorded beside the rules' own as a soft item: a model's reading of the
    task is advisory, so a missing one is listed (and fed back) but never fails the report by itself."""
    proposed = report.inputs.model_facets
    if not proposed:
        return None
    feedback: dict[int, list[str]] = {}
    covered, uncovered = coverage(report, proposed)
    for index, facet in uncovered:
        note(feedback, index or None, f"A model also expects “{facet.name}” here, with a citation.")
    missing = [f"{facet.name} (section {index or 'any'})" for index, facet in uncovered]
    return CheckResult(
        name="model_facets",
        passed=not missing,
        hard=False,
        feedback=feedback,
        detail="every facet the model proposed is covered" if not missing
        else f"missing: {', '.join(missing)}",
        figure={
            "facet_sources": _sources(proposed),
            "cited_sentences_per_facet": covered,
            "missing": missing,
            "method": "facets a model proposed from the task and headings, counted as the rules' own are; "
            "soft: recorded, never failing the report",
        },
    )
