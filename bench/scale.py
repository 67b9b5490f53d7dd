"""Indexing at scale, and the fixture's cold and warm index times.

    python bench/scale.py [--documents 12000] [--fixture DIR]

1. Replicates the fixture sandbox's documents (varied titles and urls, hence distinct ids) to 12,000+
   documents, builds the lexical index in a fresh process and reports its time, peak RSS and query latency
   (targets: ≤ 180 s, ≤ 2 GB, p95 ≤ 30 ms).
2. Indexes the fixture (``long_context.json`` + ``pdf.pdf``) with the default embedder (the bundled local
   model re-ranking BM25 candidates): cold in a fresh cache (≤ 60 s), then warm (≤ 1 s), each in a fresh
   process; then times a first hybrid query (which embeds its candidates) and a repeated one.

Prints one ``name value`` line per figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from reportgraph.tools.retrieval import build_or_load, search
from reportgraph.tools.retrieval.embeddings import EmbedderSettings, select_embedder
from shared_data import shared_dir

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



def replicate(source: Path, target: Path, documents: int) -> int:
    originals = json.loads(source.read_text(encoding="utf-8"))
    copies = []
    for number in range(documents):
        original = originals[number % len(originals)]
        copy = number // len(originals)
        copies.append({
            "title": f"{original['title']} · 副本 {copy}" if copy else original["title"],
            "url": f"{original['url']}#copy-{copy}" if copy else original["url"],
            "content": original["content"],
        })  # fmt: skip
    target.write_text(json.dumps(copies, ensure_ascii=False), encoding="utf-8")
    return len(copies)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def scale_child(corpus: str, cache: str, results: Any) -> None:
    started = time.perf_counter()
    build = build_or_load(corpus, [], cache)
    index_seconds = time.perf_counter() - started
    store = build.store
    search(store, QUERIES[0], k=10)  # first-query warm-up (page faults, lazy imports)
    latencies = []
    for _ in range(5):
        for query in QUERIES:
            query_started = time.perf_counter()
            search(store, query, k=10)
            latencies.append(time.perf_counter() - query_started)
    results.put({
        "scale_chunks": len(store.records),
        "scale_index_seconds": round(index_seconds, 2),
        "scale_peak_rss_mb": round(peak_rss_mb(), 1),
        "scale_query_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 2),
        "scale_query_p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 2),
    })  # fmt: skip


def fixture_child(folder: str, cache: str, queries: bool, results: Any) -> None:
    embedder = select_embedder(EmbedderSettings(provider="auto"), cache_dir=cache).embedder
    started = time.perf_counter()
    build = build_or_load(
        Path(folder) / "long_context.json", [Path(folder) / "pdf.pdf"], cache, embedder=embedder
    )
    figures: dict[str, Any] = {
        "cache_hit": build.cache_hit,
        "seconds": round(time.perf_counter() - started, 3),
        "dense": build.store.dense_strategy,
    }
    if queries:
        query = ["长文本摘要的忠实度人工评估", "human evaluation of faithfulness"]
        first_started = time.perf_counter()
        search(build.store, query, k=10, mode="hybrid")
        figures["first_hybrid_query_seconds"] = round(time.perf_counter() - first_started, 2)
        repeat_started = time.perf_counter()
        search(build.store, query, k=10, mode="hybrid")
        figures["repeated_hybrid_query_ms"] = round((time.perf_counter() - repeat_started) * 1000, 1)
    results.put(figures)


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
    parser.add_argument("--fixture", type=Path, default=shared_dir() / "fixtures" / "longeval_zh")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reportgraph-scale-") as scratch:
        corpus = Path(scratch) / "long_context.json"
        documents = replicate(args.fixture / "long_context.json", corpus, args.documents)
        print(f"scale_documents {documents}")
        print(f"scale_corpus_mb {corpus.stat().st_size / 1e6:.1f}", flush=True)
        for name, value in run_in_child(scale_child, str(corpus), str(Path(scratch) / "scale-cache")).items():
            print(f"{name} {value}", flush=True)

        fixture_cache = str(Path(scratch) / "fixture-cache")
        cold = run_in_child(fixture_child, str(args.fixture), fixture_cache, False)
        warm = run_in_child(fixture_child, str(args.fixture), fixture_cache, True)
        print(f"fixture_dense_strategy {cold['dense']}")
        print(f"fixture_cold_index_seconds {cold['seconds']} (cache_hit={cold['cache_hit']})")
        print(f"fixture_warm_index_seconds {warm['seconds']} (cache_hit={warm['cache_hit']})")
        print(f"fixture_first_hybrid_query_seconds {warm['first_hybrid_query_seconds']}")
        print(f"fixture_repeated_hybrid_query_ms {warm['repeated_hybrid_query_ms']}", flush=True)


if __name__ == "__main__":
    main()
