"""Processes sharing one cache directory never read a half-written entry (issue 27). Every interleaving is
set by the test: a writer stops mid-transaction on an event the test holds, the test reads, then lets it go
or kills it. No sleeps, no timing windows: a slow machine only makes the test slower."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from reportgraph.tools.retrieval import build_or_load
from reportgraph.tools.retrieval.embeddings import CachedEmbedder, EmbeddingCache
from reportgraph.tools.retrieval.vectorfile import VectorFile

WAIT_S = 300  # an event not set by then means the child died: fail, never a decision by timing
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a second `reportgraph run` is


class PausingRows:
    """Vectors that stop after ``pause_at`` rows, set ``reached`` and wait for ``go``: the writer is then
    inside its transaction with half the batch written."""

    def __init__(self, vectors: np.ndarray, pause_at: int, reached: Any, go: Any) -> None:
        self.vectors, self.pause_at, self.reached, self.go = vectors, pause_at, reached, go

    def __iter__(self) -> Iterator[np.ndarray]:
        for row, vector in enumerate(self.vectors):
            if row == self.pause_at:
                self.reached.set()
                assert self.go.wait(WAIT_S)
            yield vector


def _vectors(count: int, seed: int) -> tuple[list[str], np.ndarray]:
    rows = np.random.default_rng(seed).standard_normal((count, 16)).astype(np.float32)
    return [f"key-{seed}-{n}" for n in range(count)], rows


def _paused_writer(path: str, reached: Any, go: Any) -> None:
    keys, vectors = _vectors(40, seed=7)
    VectorFile(path, "model-a").store(keys, PausingRows(vectors, 20, reached, go))


@pytest.mark.parametrize("ending", ["commit", "killed"])
def test_a_reader_never_sees_half_a_batch(tmp_path: Path, ending: str) -> None:
    path = str(tmp_path / "embeddings.sqlite")
    reached, go = SPAWN.Event(), SPAWN.Event()
    writer = SPAWN.Process(target=_paused_writer, args=(path, reached, go))
    writer.start()
    assert reached.wait(WAIT_S), "the writer never reached the middle of its batch"
    keys, vectors = _vectors(40, seed=7)
    reader = VectorFile(path, "model-a")
    assert reader.fetch(keys) == {}  # 20 rows written inside the open transaction: none visible
    if ending == "commit":
        go.set()
        writer.join(WAIT_S)
        assert writer.exitcode == 0
        found = reader.fetch(keys)
        assert sorted(found) == sorted(keys) and np.allclose(np.stack([found[k] for k in keys]), vectors)
    else:
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGKILL)  # killed while it holds the write lock, mid-batch
        writer.join(WAIT_S)
        assert reader.fetch(keys) == {}
        other_keys, other = _vectors(5, seed=8)
        reader.store(other_keys, other)  # the dead writer's lock is gone: the next writer goes on
        assert sorted(reader.fetch(other_keys)) == sorted(other_keys)


def test_namespaces_keep_embedders_apart(tmp_path: Path) -> None:
    keys, vectors = _vectors(3, seed=1)
    VectorFile(tmp_path / "v.sqlite", "model-a").store(keys, vectors)
    assert VectorFile(tmp_path / "v.sqlite", "model-b").fetch(keys) == {}


class WordHash:
    """A fast deterministic embedder that indexes whole corpora (as a remote endpoint does)."""

    name = "test-word-hash-32"
    indexes_whole_corpus = True

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                matrix[row, hashlib.sha1(word.encode()).digest()[0] % 32] += 1.0
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def _build(corpus: str, cache: str, start: Any, out: str) -> None:
    """One run's indexing: the shared cache directory, vectors through the embedding cache."""
    embedder = CachedEmbedder(WordHash(), EmbeddingCache(WordHash.name, cache_dir=cache), batch_size=4)
    assert start.wait(WAIT_S)  # both processes index from here on, in whatever order the machine picks
    build = build_or_load(corpus, cache_dir=cache, embedder=embedder)
    matrix = build.store.dense_matrix
    assert matrix is not None
    Path(out).write_text(json.dumps({"problems": build.problems, "cache_problem": embedder.cache.problem,
                                     "matrix": matrix.tolist()}), encoding="utf-8")


def test_two_processes_index_on_one_cache_directory(tmp_path: Path) -> None:
    """Whatever the interleaving, both get the same complete vectors and no cache error (the outcome is the
    same for every order, so no order the machine picks can fail it)."""
    documents = [{"title": f"Kite {n}", "url": f"https://example.org/{n}",
                  "content": f"Kite number {n} flies on {['wind', 'rain', 'sun'][n % 3]} days by the sea."}
                 for n in range(30)]
    corpus = tmp_path / "long_context.json"
    corpus.write_text(json.dumps(documents), encoding="utf-8")
    start = SPAWN.Event()
    outs = [tmp_path / f"out{n}.json" for n in (1, 2)]
    workers = [SPAWN.Process(target=_build, args=(str(corpus), str(tmp_path / "cache"), start, str(out)))
               for out in outs]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(WAIT_S)
        assert worker.exitcode == 0
    first, second = (json.loads(out.read_text(encoding="utf-8")) for out in outs)
    assert first["problems"] == second["problems"] == []
    assert first["cache_problem"] is None and second["cache_problem"] is None
    assert np.allclose(first["matrix"], second["matrix"]) and len(first["matrix"]) == 30
    assert not (tmp_path / "cache" / "chroma").exists()  # no embedded Chroma on a shared directory
