"""Dense re-ranking's work done up front in one batch: exactly the candidates the searches compare, no more,
and the searches then embed nothing; progress counts the batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval import IndexStore, prefetch_rerank, rerank_candidates, search

WORDS = ["tea", "green", "black", "water", "boiling", "leaf", "brew", "cup", "china", "milk", "sugar", "pot"]


class CountingEmbedder:
    """A deterministic stand-in that remembers every batch it was asked to embed."""

    name = "counting"
    indexes_whole_corpus = False

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.stack([self._vector(text) for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        vector = np.array([text.count(word) + 0.1 for word in WORDS], dtype=np.float32)
        return vector / np.linalg.norm(vector)


def records() -> list[SourceRecord]:
    rng = np.random.default_rng(7)
    made = []
    for index in range(60):
        kind = "pdf" if index % 3 == 0 else "corpus"
        text = " ".join(rng.choice(WORDS, size=12).tolist()) + f" note {index}"
        made.append(SourceRecord(id=f"d{index}", kind=kind, segment="page" if kind == "pdf" else "chunk",
                                 source_file="x", title=f"doc {index}", text=text, doc_id=f"doc{index}"))
    return made


SEARCHES = [(["green tea water"], 4, {"pdf"}), (["green tea water"], 8, {"corpus"}),
            (["black tea milk", "boiling pot"], 6, {"corpus"})]


def store_with(embedder: CountingEmbedder) -> IndexStore:
    return IndexStore.from_records(records(), embedder=embedder)  # type: ignore[arg-type]


def test_one_batch_holds_exactly_what_the_searches_compare() -> None:
    unbatched = CountingEmbedder()
    plain = store_with(unbatched)
    for queries, k, kinds in SEARCHES:
        search(plain, queries, k=k, kinds=kinds)
    embedded_by_searches = sorted(text for batch in unbatched.batches for text in batch)
    assert len(unbatched.batches) > 1  # without prefetching, each search embeds its own few

    batched = CountingEmbedder()
    store = store_with(batched)
    seen: list[tuple[int, int]] = []
    count = prefetch_rerank(store, SEARCHES, progress=lambda _stage, done, total: seen.append((done, total)))
    assert len(batched.batches) == 1 and count == len(batched.batches[0])
    assert sorted(batched.batches[0]) == embedded_by_searches  # the same work, nothing more
    assert seen[-1] == (count, count)
    for queries, k, kinds in SEARCHES:
        assert [h.record.id for h in search(store, queries, k=k, kinds=kinds)] == [
            h.record.id for h in search(plain, queries, k=k, kinds=kinds)
        ]
    assert len(batched.batches) == 1  # the searches found every vector ready


def test_no_candidates_without_a_re_ranking_embedder() -> None:
    lexical_only = IndexStore.from_records(records())
    assert rerank_candidates(lexical_only, ["green tea"], k=5) == []
    assert prefetch_rerank(lexical_only, SEARCHES) == 0
