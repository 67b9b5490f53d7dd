"""The report checker against labelled reports: ../shared/eval/verdicts/longeval_zh (see its README).

For every labelled report: its status, the checks that failed, and whether the checker is right by the
README's rule — a ``pass`` label must get status pass; a ``fail`` label must get another status with a
failing check that names its defect (DEFECT_CHECKS maps each defect kind to the checks that name it).
``seed000_report.md`` is checked against a temporary copy of the fixture folder whose task.md is
``seed000_task.md``; it must fail at least on length and on unresolvable citations.

    REPORTGRAPH_CACHE_DIR=/tmp/cache .venv/bin/python bench/verdicts.py [--verdicts DIR] [--fixture DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reportgraph.nodes.check_inputs import check_report
from reportgraph.nodes.context import Context
from shared_data import shared_dir

SHARED = shared_dir()  # $REPORTGRAPH_SHARED, else ../shared beside the project
# Defect kind (labels.jsonl) → the checks whose failure names it.
DEFECT_CHECKS: dict[str, set[str]] = {
    "invented_uncited_claim": {"claims_cited"},
    "wrong_number_cited_page": {"citation_support"},
    "noise_citation": {"relevance"},
    "distracting_citation": {"relevance", "citation_support"},
    "missing_authors_venue": {"section_substance"},
    "missing_faithfulness_explanation": {"section_substance"},
    "duplicated_paragraph": {"no_repetition"},
    "english_paragraph": {"language"},
    "too_short": {"length"},
    "too_long_padding": {"length"},
    "missing_section": {"sections"},
    "wrong_video_timerange": {"citation_support"},
    "question_to_user": {"no_artefacts"},
    "nonexistent_page": {"citations_resolve"},
    "video_no_timeranges": {"section_substance"},
    "untraceable_citation": {"citations_resolve"},
}
SEED_REQUIRED = ("too_short", "untraceable_citation")  # what seed000 must fail on, at least


def seed_folder(fixture: Path, task: Path, root: Path) -> Path:
    folder = root / fixture.name
    folder.mkdir()
    for item in fixture.iterdir():
        if item.is_file() and "sampled" not in item.name and item.name != "task.md":
            shutil.copy(item, folder / item.name)
    shutil.copy(task, folder / "task.md")
    return folder


def right(label: dict[str, object], status: str, failed: set[str]) -> bool:
    if label["verdict"] == "pass":
        return status == "pass"
    defects = label["defect"] if isinstance(label["defect"], list) else [label["defect"]]
    if str(label["file"]).startswith("seed"):
        defects = list(SEED_REQUIRED)
    return status != "pass" and all(DEFECT_CHECKS.get(str(d), set()) & failed for d in defects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, default=SHARED / "eval" / "verdicts" / "longeval_zh")
    parser.add_argument("--fixture", type=Path, default=SHARED / "fixtures" / "longeval_zh")
    parser.add_argument("--only", default="", help="check only files whose name contains this")
    args = parser.parse_args(argv)
    labels = [
        json.loads(line) for line in (args.verdicts / "labels.jsonl").read_text("utf-8").splitlines() if line
    ]
    context = Context()
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        seed_dir = seed_folder(args.fixture, args.verdicts / "seed000_task.md", Path(temp))
        for label in labels:
            name = str(label["file"])
            if args.only not in name:
                continue
            folder = seed_dir if name.startswith("seed") else args.fixture
            started = time.perf_counter()
            result, _ = check_report(folder, (args.verdicts / name).read_text("utf-8"), context)
            status = "pass" if result.passed else "needs_review"
            failed = {c.name for c in result.failed}
            rows.append((name, label, status, failed, time.perf_counter() - started))
            print(f"checked {name} in {rows[-1][-1]:.1f} s", file=sys.stderr)
    print(f"{'file':42} {'label':5} {'status':13} {'right':5}  failing checks")
    for name, label, status, failed, _ in rows:
        verdict = "yes" if right(label, status, failed) else "NO"
        print(f"{name:42} {label['verdict']:5} {status:13} {verdict:5}  {', '.join(sorted(failed)) or '-'}")
    correct = sum(right(label, status, failed) for _, label, status, failed, _ in rows)
    good = [r for r in rows if r[1]["verdict"] == "pass"]
    defective = [r for r in rows if r[1]["verdict"] != "pass"]
    passed = sum(right(label, status, failed) for _, label, status, failed, _ in good)
    caught = sum(right(label, status, failed) for _, label, status, failed, _ in defective)
    # Two halves of being right: a checker that fails everything catches every defect (sensitivity) and
    # rejects all good work (specificity); either figure alone hides the other.
    print(f"\nspecificity: {passed}/{len(good)} good reports pass")
    print(f"sensitivity: {caught}/{len(defective)} defective reports caught on the check naming their defect")
    print(f"right by the README's rule: {correct}/{len(rows)} labelled reports")
    return 0 if correct == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
