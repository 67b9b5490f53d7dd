"""Bench: how much of a task's key-point rubric the evidence handed to the writer covers.

Reads a finished run's ``run.json`` (its ``evidence``: section index → the records the writer was given in
the last drafting round; tools/writing/outputs.py ``given_evidence``) and a rubric (one JSON object per
line: ``section``, ``anchors``, ``weight``; the form of ``$REPORTGRAPH_SHARED/eval/rubrics/README.md``).
A key point is covered when one record holds all of its anchors, both sides NFKC-normalised, whitespace
runs collapsed to one space and case-folded (the rubric README's rule):

- in section: a record of the point's own section's evidence;
- anywhere: a record of any section's evidence.

Each is the weighted share ``sum(weight of covered) / sum(weight)``, overall and per section. Also printed:
the number of records, how many are collection records, and how many of those come from documents a
labels file (``{"labels": {title: "noise" | "supportive" | "distracting"}}``) calls noise (labels are only
read here, to measure; the product never sees them).

Usage::

    python bench/coverage.py RUN_DIR [--rubric RUBRIC.jsonl] [--labels LABELS.json] [--json]

Defaults: the fixture's rubric and labels under ``$REPORTGRAPH_SHARED/eval`` (bench/shared_data.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared_data import shared_dir

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, whitespace runs → one space, casefold: the rubric README's comparison form."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def load_rubric(path: Path) -> list[dict[str, Any]]:
    """The rubric's key points, one per non-empty line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def covers(anchors: Sequence[str], texts: Sequence[str]) -> bool:
    """Whether one of the (normalised) texts holds every anchor."""
    wanted = [normalise(anchor) for anchor in anchors]
    return any(all(anchor in text for anchor in wanted) for text in texts)


def coverage(evidence: Mapping[str, Sequence[Mapping[str, Any]]], rubric: Sequence[Mapping[str, Any]],
             noise_titles: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The figures for one run's evidence: ``in_section`` and ``anywhere`` (shares 0..1), ``per_section``
    (section → its in-section share), ``missed`` (ids of points not covered in their section), ``records``,
    ``collection_records`` and ``noise_records``."""
    texts = {key: [normalise(str(r.get("text", ""))) for r in records] for key, records in evidence.items()}
    everywhere = [text for section in texts.values() for text in section]
    total = sum(point["weight"] for point in rubric) or 1
    inside: dict[str, float] = {}
    weights: dict[str, float] = {}
    anywhere = 0.0
    missed = []
    for point in rubric:
        key = str(point["section"])
        weights[key] = weights.get(key, 0.0) + point["weight"]
        if covers(point["anchors"], texts.get(key, [])):
            inside[key] = inside.get(key, 0.0) + point["weight"]
        else:
            missed.append(point["id"])
        anywhere += point["weight"] if covers(point["anchors"], everywhere) else 0.0
    records = [r for section in evidence.values() for r in section]
    collection = [r for r in records if r.get("kind") == "collection"]
    return {
        "in_section": round(sum(inside.values()) / total, 3),
        "anywhere": round(anywhere / total, 3),
        "per_section": {key: round(inside.get(key, 0.0) / w, 3) for key, w in sorted(weights.items())},
        "missed": missed,
        "records": len(records),
        "collection_records": len(collection),
        "noise_records": sum(1 for r in collection if r.get("title") in noise_titles),
    }


def noise_titles(path: Path | None) -> frozenset[str]:
    """The titles a labels file calls noise (none without a file)."""
    if path is None or not path.is_file():
        return frozenset()
    labels = json.loads(path.read_text(encoding="utf-8")).get("labels", {})
    return frozenset(title for title, label in labels.items() if label == "noise")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path, help="a run's output folder (holds run.json)")
    parser.add_argument("--rubric", type=Path, default=shared_dir() / "eval/rubrics/longeval_zh.jsonl")
    parser.add_argument("--labels", type=Path, default=shared_dir() / "eval/longeval_sandbox_labels.json",
                        help="collection labels by title; a missing file counts no noise")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    run = json.loads((args.run_dir / "run.json").read_text(encoding="utf-8"))
    if "evidence" not in run:
        print(f"{args.run_dir}/run.json has no evidence record (written before it existed)", file=sys.stderr)
        return 2
    figures = coverage(run["evidence"], load_rubric(args.rubric), noise_titles(args.labels))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    print(f"in section {figures['in_section']:.2f}  anywhere {figures['anywhere']:.2f}  "
          f"records {figures['records']} (collection {figures['collection_records']}, "
          f"noise {figures['noise_records']})")
    print("per section: " + ", ".join(f"{k}: {v:.2f}" for k, v in figures["per_section"].items()))
    print("missed in section: " + (", ".join(figures["missed"]) or "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
