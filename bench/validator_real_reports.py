"""The validator run on 100 real research reports (DeepResearch Bench, claude-3-7-sonnet) against their tasks.

    python bench/validator_real_reports.py [--reports FILE --queries FILE --limit N --json OUT]

Each report (``{id, prompt, article}``) goes through what a run's validate step does: the task prompt is
parsed into a requirement spec (``parse_requirements``), and ``validate_report`` runs every check on the
article. The reports cite web pages that are not in any source registry here, so checks that need the
cited sources (resolution, support, relevance) say what they can about sources they cannot see; the
figures show how each check behaves on real, well-formed reports written by someone else, not a score of
those reports. Prints, per language, each check's pass count (``passed/ran``; a check that does not apply
to a report does not run), how many reports pass every hard check, the length figure the length check
read, and the validator's time per report. ``--json`` writes one record per report. Exits non-zero if the
validator raised on any report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reportgraph.graph.progress import quiet_libraries
from reportgraph.tools.checking import ValidationInputs, validate_report
from reportgraph.tools.intake.spec import parse_requirements
from reportgraph.tools.text import detect_language
from shared_data import shared_dir


@dataclass
class ReportRun:
    id: int
    language: str
    seconds: float
    passed: bool = False
    checks: dict[str, bool] = field(default_factory=dict)  # hard checks: name → passed
    advisory: dict[str, bool] = field(default_factory=dict)  # checks that are not hard
    length: dict[str, Any] = field(default_factory=dict)  # the length check's figure
    error: str = ""


def validate_one(record: dict[str, Any], language: str) -> ReportRun:
    prompt, article = str(record["prompt"]), str(record["article"])
    started = time.perf_counter()
    try:
        spec = parse_requirements(prompt)
        result = validate_report(ValidationInputs(
            markdown=article, spec=spec, registry={}, drafting_mode="llm", task_text=prompt,
        ))  # fmt: skip
    except Exception as error:  # a crash on a real report is the finding: counted, not hidden
        return ReportRun(int(record["id"]), language, time.perf_counter() - started,
                         error=f"{type(error).__name__}: {error}")
    run = ReportRun(int(record["id"]), language, time.perf_counter() - started, passed=result.passed)
    for check in result.checks:
        (run.checks if check.hard else run.advisory)[check.name] = check.passed
        if check.name == "length":
            run.length = dict(check.figure)
    return run


def load(reports: Path, queries: Path | None, limit: int | None) -> list[tuple[dict[str, Any], str]]:
    """Each report with its language: from the query file, else detected from the prompt."""
    languages: dict[int, str] = {}
    if queries is not None and queries.is_file():
        for line in queries.read_text(encoding="utf-8").splitlines():
            if line.strip():
                query = json.loads(line)
                languages[int(query["id"])] = query["language"]
    loaded = []
    for line in reports.read_text(encoding="utf-8").splitlines()[:limit]:
        if line.strip():
            record = json.loads(line)
            language = languages.get(int(record["id"])) or detect_language(str(record["prompt"]))
            loaded.append((record, "zh" if language == "zh" else "en"))
    return loaded


def summary(runs: list[ReportRun]) -> list[str]:
    lines = [f"{len(runs)} reports validated; the validator raised on {sum(bool(r.error) for r in runs)}"]
    for language in sorted({r.language for r in runs}):
        group = [r for r in runs if r.language == language and not r.error]
        if not group:
            continue
        seconds = [r.seconds for r in group]
        lines += [
            f"[{language}] {len(group)} reports: {sum(r.passed for r in group)} pass every hard check; "
            f"validator {statistics.fmean(seconds):.2f} s a report (max {max(seconds):.2f} s)"
        ]
        ran, passed = Counter[str](), Counter[str]()
        for run in group:
            for name, ok in {**run.checks, **run.advisory}.items():
                ran[name] += 1
                passed[name] += ok
        for name in ran:
            kind = "" if any(name in r.checks for r in group) else " (advisory)"
            lines.append(f"  {name}{kind}: {passed[name]}/{ran[name]} passed")
        counts = [int(r.length["count"]) for r in group if "count" in r.length]
        units = Counter(str(r.length.get("unit", "?")) for r in group if "count" in r.length)
        if counts:
            spread = f"mean {statistics.fmean(counts):,.0f}, min {min(counts):,}, max {max(counts):,}"
            lines.append(f"  length read by the check ({', '.join(units)}): {spread} "
                         f"over {len(counts)} reports with a length rule")
    errors = [r for r in runs if r.error]
    lines += [f"raised on report {r.id}: {r.error}" for r in errors]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    bench = shared_dir() / "eval" / "deep_research_bench"
    parser.add_argument("--reports", type=Path, default=bench / "reports_claude-3-7-sonnet.jsonl")
    parser.add_argument("--queries", type=Path, default=bench / "query.jsonl")
    parser.add_argument("--limit", type=int, help="only the first N reports")
    parser.add_argument("--json", type=Path, help="also write the per-report records here")
    args = parser.parse_args()
    quiet_libraries(verbose=False)
    loaded = load(args.reports, args.queries, args.limit)
    runs = [validate_one(record, language) for record, language in loaded]
    print("\n".join(summary(runs)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], ensure_ascii=False, indent=1), "utf-8")
    return 1 if any(r.error for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
