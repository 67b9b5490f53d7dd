"""The validator's parsing on 100 real research reports (DeepResearch Bench, claude-3-7-sonnet).

    python bench/validator_real_reports.py [--reports FILE --queries FILE --json OUT]

Each report (``{id, prompt, article}``) is parsed as the validator parses a draft: level-2 sections, length
(CJK-aware 字 for Chinese prompts, words for English, without citation markers or the reference list), and
citations in every style (``[1]``, ``[Source](url)``, footnotes, bare URLs; ``tools/citations.py``) with
their reference list, plus the validator's artefact detector. Prints per-language figures; ``--json`` also
writes one record per report. Exits non-zero if any report could not be parsed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reportgraph.tools.checking.citations import (
    STYLES,
    citation_summary,
    split_reference_section,
    without_citations,
)
from reportgraph.tools.checking.validator import artefacts_in, parse_report
from reportgraph.tools.text import count_length, detect_language, language_unit
from shared_data import shared_dir


@dataclass
class ReportFigures:
    id: int
    language: str
    unit: str
    length: int
    sections: int
    citations: int
    by_style: dict[str, int]
    distinct_sources: int
    references: int
    unresolved_numbers: list[str]
    uncited_references: int
    artefacts: list[str] = field(default_factory=list)


def measure(record: dict[str, object], language: str) -> ReportFigures:
    """What the validator's parsers read from one report."""
    article = str(record["article"])
    unit = language_unit(language)
    body, _ = split_reference_section(article)
    cited = citation_summary(article)
    return ReportFigures(
        id=int(str(record["id"])),
        language=language,
        unit=unit,
        length=count_length(without_citations(body), unit),
        sections=len(parse_report(body).sections),
        citations=cited.total,
        by_style=dict(cited.counts),
        distinct_sources=len(set().union(*cited.cited.values())),
        references=len(cited.references),
        unresolved_numbers=sorted(
            cited.unresolved_numbers, key=lambda n: [int(part) for part in n.split("-")]
        ),
        uncited_references=len(cited.uncited_references),
        artefacts=artefacts_in(body),
    )


def measure_reports(reports: Path, queries: Path | None) -> list[ReportFigures]:
    """Figures for every report; the language comes from the query file, else from the prompt."""
    languages: dict[int, str] = {}
    if queries is not None and queries.is_file():
        for line in queries.read_text(encoding="utf-8").splitlines():
            if line.strip():
                query = json.loads(line)
                languages[int(query["id"])] = query["language"]
    figures = []
    for line in reports.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        language = languages.get(int(record["id"])) or detect_language(str(record["prompt"]))
        figures.append(measure(record, "zh" if language == "zh" else "en"))
    return figures


def spread(values: Sequence[float]) -> str:
    if not values:
        return "—"
    return f"mean {statistics.fmean(values):.1f}, min {min(values):g}, max {max(values):g}"


def summary(figures: list[ReportFigures]) -> list[str]:
    lines = [f"{len(figures)} reports parsed"]
    for language in sorted({f.language for f in figures}):
        group = [f for f in figures if f.language == language]
        unit = group[0].unit
        cited = [f for f in group if f.citations]
        lines += [
            f"[{language}] {len(group)} reports",
            f"  length ({unit}): {spread([f.length for f in group])}",
            f"  sections (##): {spread([f.sections for f in group])}",
            f"  citations per report: {spread([f.citations for f in group])}",
            f"  distinct sources cited per report: {spread([f.distinct_sources for f in group])}",
            f"  reports with any citation: {len(cited)}/{len(group)} ({len(cited) / len(group):.0%})",
            f"  reports with a reference list: {sum(f.references > 0 for f in group)}/{len(group)}",
            f"  numbered citations with no reference entry: {sum(len(f.unresolved_numbers) for f in group)} "
            f"in {sum(bool(f.unresolved_numbers) for f in group)} reports "
            f"{[f.id for f in group if f.unresolved_numbers]}",
            f"  reference entries never cited: {sum(f.uncited_references for f in group)}",
        ]
    styles = Counter({style: sum(f.by_style[style] for f in figures) for style in STYLES})
    lines.append("citations by style: " + ", ".join(f"{style} {count}" for style, count in styles.items()))
    artefacts = Counter(name for f in figures for name in set(f.artefacts))
    lines.append(
        "reports with leftovers the validator flags: "
        + (", ".join(f"{name} {count}" for name, count in artefacts.most_common()) or "none")
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    bench = shared_dir() / "eval" / "deep_research_bench"
    parser.add_argument("--reports", type=Path, default=bench / "reports_claude-3-7-sonnet.jsonl")
    parser.add_argument("--queries", type=Path, default=bench / "query.jsonl")
    parser.add_argument("--json", type=Path, help="also write the per-report figures here")
    args = parser.parse_args()
    expected = sum(1 for line in args.reports.read_text(encoding="utf-8").splitlines() if line.strip())
    figures = measure_reports(args.reports, args.queries)
    print("\n".join(summary(figures)))
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=1), "utf-8")
    return 0 if len(figures) == expected else 1


if __name__ == "__main__":
    sys.exit(main())
