"""Bench: what an offline report gives a reader, section by section.

Runs ``reportgraph run TASK_DIR -o OUT --llm off`` (unless OUT already holds a report and ``--reuse`` is
given) and prints, per section of report.md:

- facets covered: the checker's count of cited sentences per facet (validation.json, section_substance),
  as ``covered/expected`` with the names of the uncovered ones;
- distinct sources: distinct rendered citations (a PDF page, a video time range, a collection document);
- share in the task's language: tools.text.language_shares of the section's text without citations,
  quotes included;
- repeated sentences: sentences (project segmenter, normalised by tools.writing.sentence_key) that occur
  earlier in the report;
- noise documents cited: collection documents cited whose label in ``--labels`` is ``noise`` (labels are
  only read here, to measure; the product never sees them).

Usage::

    REPORTGRAPH_CACHE_DIR=/tmp/e-cache python bench/offline_report.py ../shared/fixtures/longeval_zh \\
        -o /tmp/offline-longeval --labels ../shared/eval/longeval_sandbox_labels.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from reportgraph.tools.file_kinds import VIDEO_SUFFIXES, suffix_alternation
from reportgraph.tools.text import language_shares, split_sentences
from reportgraph.tools.writing import sentence_key

CITATION = re.compile(
    r"\[(?:[^\[\]]+\.pdf p\.\d+|"
    rf"[^\[\]]+\.{suffix_alternation(VIDEO_SUFFIXES)} [\d:]+–[\d:]+|"
    r"long_context: [^\]]+)\]"
)
CORPUS_TITLE = re.compile(r'long_context: "(.+?)"')
HEADING = re.compile(r"^## (.+)$", re.M)


def sections(report: str) -> list[tuple[str, str]]:
    """(heading, body) of every level-2 section, in order."""
    marks = list(HEADING.finditer(report))
    ends = [m.start() for m in marks[1:]] + [len(report)]
    return [(m.group(1).strip(), report[m.end() : end]) for m, end in zip(marks, ends, strict=True)]


def facet_figures(validation: dict) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """Per section index: cited sentences per facet; and the expected facets (the checker's figure)."""
    for check in validation.get("checks", []):
        if check.get("name") == "section_substance":
            figure = check.get("figure") or {}
            return figure.get("cited_sentences_per_facet", {}), figure.get("facets", {})
    return {}, {}


def run(task_dir: Path, out: Path) -> None:
    cli = Path(sys.executable).with_name("reportgraph")
    subprocess.run([str(cli), "run", str(task_dir), "-o", str(out), "--llm", "off"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task_dir", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--labels", type=Path,
                        help="JSON {labels: {document title: supportive|distracting|noise}}, to measure only")
    parser.add_argument("--reuse", action="store_true", help="measure the report already in OUT")
    args = parser.parse_args()
    if not (args.reuse and (args.out / "report.md").is_file()):
        run(args.task_dir, args.out)
    report = (args.out / "report.md").read_text(encoding="utf-8")
    validation = json.loads((args.out / "validation.json").read_text(encoding="utf-8"))
    run_record = json.loads((args.out / "run.json").read_text(encoding="utf-8"))
    language = run_record.get("spec", {}).get("language", "zh")
    labels = json.loads(args.labels.read_text(encoding="utf-8"))["labels"] if args.labels else {}
    covered, expected = facet_figures(validation)
    seen: set[str] = set()
    print(f"report {args.out / 'report.md'} · status {validation.get('status')} · task language {language}")
    print(f"{'section':<18} {'facets covered':<28} {'sources':>7} {'lang share':>10} "
          f"{'repeated':>8} {'noise':>5}")
    totals = {"repeated": 0, "noise": 0}
    for index, (heading, body) in enumerate(sections(report), start=1):
        cited = CITATION.findall(body)
        text = CITATION.sub("", body)
        share = getattr(language_shares(text), language)
        repeated = 0
        for sentence in split_sentences(text):
            key = sentence_key(sentence)
            if len(key) < 8:
                continue  # a label or a bare name is no sentence to repeat
            repeated += key in seen
            seen.add(key)
        noise = sorted({t for c in cited for t in CORPUS_TITLE.findall(c) if labels.get(t) == "noise"})
        facets = expected.get(str(index), [])
        counts = covered.get(str(index), {})
        missing = [f for f in facets if not counts.get(f)]
        facet_text = f"{len(facets) - len(missing)}/{len(facets)}"
        facet_text += f" (no: {', '.join(missing)})" if missing else ""
        print(f"{heading[:18]:<18} {facet_text[:28]:<28} {len(set(cited)):>7} {share:>10.0%} {repeated:>8} "
              f"{len(noise):>5}")
        for title in noise:
            print(f"    noise cited: {title}")
        totals["repeated"] += repeated
        totals["noise"] += len(noise)
    whole = getattr(language_shares(CITATION.sub("", report)), language)
    print(f"whole report: share in {language} {whole:.0%}; repeated sentences {totals['repeated']}; "
          f"noise documents cited {totals['noise']}")
    failing = [c["name"] for c in validation.get("checks", []) if c.get("hard", True) and not c.get("passed")]
    print(f"checker: {validation.get('status')}; failing checks: {', '.join(failing) or 'none'}")


if __name__ == "__main__":
    main()
