"""Targeted search for one need (a section's facet), across languages, with a relevance floor.

A task written in Chinese about an English paper shares few words with it, so BM25 alone misses most of
the paper. The paper is small (a few hundred chunks): every one of its chunks is embedded (once; vectors
are cached by text) and searched densely, fused with BM25 by reciprocal rank. The collection is large:
BM25 proposes its candidates (the queries carry the paper's own phrases for a term, so both languages are
reached) and a hit must pass a relevance floor — the dense similarity of its chunk to the query — so
off-topic documents that share a word stay out. Only those candidates are embedded: re-ranking BM25's
whole candidate pool densely as well cost 138 embedded chunks on the fixture instead of 33, for the same
report (bench/run.py).
Without an embedder both fall back to BM25, and corpus hits must then share a content word with the query.

Typical use: ``FocusedSearch(store).paper(queries, k)`` and ``.corpus(queries, k)``; ``.rank(queries,
records, k)`` ranks records outside the store (video segments) the same way as the paper.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.hybrid import search
from reportgraph.tools.retrieval.store import IndexStore, ProgressCallback

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al., 2009), as the hybrid search uses
# Cosine of multilingual-e5-small between a facet's queries and a chunk that bears on it. e5 similarities
# sit in a narrow band: on the fixture every collection chunk in a technique's top 12 scored 0.864-0.904,
# and on bench/make_offline_task.py's folder a noise document sharing one word ("数据") scored 0.855.
CORPUS_FLOOR = 0.86
CORPUS_CANDIDATES = 4  # corpus hits examined per wanted one, before the floor
EQUIVALENTS = 3  # the paper's phrases that stand for a term of another language, at most
EQUIVALENT_MARGIN = 0.01  # … within this cosine of the closest one (e5 similarities are close together)
_PHRASE_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
_STOP = frozenset(
    """a an the of in on for to and or with by from as at is are be was were we our us this that these those
    which while few any other new such via into than through about over under its their it can may also how
    what when where why do does not no more most both each between first""".split()  # noqa: SIM905
)
# A bibliography entry: "2019. Title. In Proceedings of …": chunks made of them are no evidence.
_REFERENCE = re.compile(r"\b(?:19|20)\d\d[a-z]?\.\s|\bIn Proceedings\b|\barXiv preprint\b|\bpages \d+", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Found:
    record: SourceRecord
    score: float  # fused reciprocal-rank score, larger is better
    similarity: float | None  # dense cosine to the closest query, when an embedder ran


class FocusedSearch:
    """Per-need search over a store's paper chunks (dense, complete) and its collection (hybrid, floored)."""

    def __init__(self, store: IndexStore, corpus_floor: float = CORPUS_FLOOR,
                 progress: ProgressCallback | None = None) -> None:
        self.store = store
        self.corpus_floor = corpus_floor
        self.progress = progress  # ("embed", done, total) while the paper's chunks are embedded
        self._paper = [
            p
            for p, record in enumerate(store.records)
            if record.kind == "pdf" and record.segment != "metadata" and not is_bibliography(record.text)
        ]
        self._positions = {record.id: p for p, record in enumerate(store.records)}
        self._paper_vectors: np.ndarray | None = None
        self._phrases: list[str] | None = None
        self._phrase_vectors: np.ndarray | None = None

    @property
    def dense(self) -> bool:
        return self.store.embedder is not None

    def paper(self, queries: Sequence[str], k: int) -> list[Found]:
        """The ``k`` paper chunks closest to the queries: all chunks dense, fused with BM25."""
        if not self._paper or k <= 0:
            return []
        lexical = search(self.store, queries, k=k * 3, per_doc_cap=None, min_distinct_docs=1,
                         mode="bm25", kinds={"pdf"})
        allowed = set(self._paper)
        ranked = [[hit.record for hit in lexical if self._positions[hit.record.id] in allowed]]
        similarity: dict[str, float] = {}
        if self.dense:
            if self._paper_vectors is None:
                self._paper_vectors = self.store.vectors_at(self._paper, self.progress)
            records = [self.store.records[p] for p in self._paper]
            dense, similarity = self._dense_rankings(queries, records, self._paper_vectors)
            ranked += [order[: k * 3] for order in dense]
        return _fuse(ranked, similarity)[:k]

    def equivalents(self, term: str) -> list[str]:
        """The paper's own phrases closest to a term in another script (e.g. 人工评估 → "human evaluation"):
        word n-grams of its first page said at least twice in the paper, ranked by dense similarity."""
        if not self.dense or not _CJK.search(term) or not self._paper:
            return []
        if self._phrases is None:
            self._phrases = self._candidate_phrases()
        if not self._phrases:
            return []
        assert self.store.embedder is not None
        if self._phrase_vectors is None:
            self._phrase_vectors = self.store.embedder.embed_documents(self._phrases)
        sims = self._phrase_vectors @ self.store.query_vector(term)
        order = np.argsort(-sims, kind="stable")[:EQUIVALENTS]
        return [self._phrases[i] for i in order if sims[i] >= sims[order[0]] - EQUIVALENT_MARGIN]

    def _candidate_phrases(self) -> list[str]:
        records = [self.store.records[p] for p in self._paper]
        whole = " ".join(record.text for record in records).lower()
        first = " ".join(record.text for record in records if record.page == 1)
        words = _PHRASE_WORD.findall(first)
        grams = Counter(
            " ".join(words[i : i + n]).lower()
            for n in (1, 2, 3)
            for i in range(len(words) - n + 1)
            if words[i].lower() not in _STOP and words[i + n - 1].lower() not in _STOP
        )
        return sorted(gram for gram in grams if len(gram) > 3 and whole.count(gram) >= 2)

    def record(self, record_id: str) -> SourceRecord:
        """The store's record with this id (KeyError when it holds none)."""
        return self.store.records[self._positions[record_id]]

    def following(self, record: SourceRecord) -> SourceRecord | None:
        """The next chunk of the same document (a sentence that ends a chunk with ":" goes on there)."""
        position = self._positions.get(record.id)
        if position is None or position + 1 >= len(self.store.records):
            return None
        after = self.store.records[position + 1]
        return after if after.doc_id == record.doc_id else None

    def rank(self, queries: Sequence[str], records: Sequence[SourceRecord], k: int) -> list[Found]:
        """Rank records outside the store (e.g. a talk's segments) by dense similarity, else word overlap."""
        if not records or k <= 0:
            return []
        if not self.dense:
            terms = content_tokens(" ".join(queries))
            scored = sorted(records, key=lambda r: -len(terms & content_tokens(r.text)))
            return [Found(r, 0.0, None) for r in scored[:k] if terms & content_tokens(r.text)]
        assert self.store.embedder is not None
        vectors = self.store.embedder.embed_documents([r.text for r in records])
        return _fuse(*self._dense_rankings(queries, list(records), vectors))[:k]

    def corpus(self, queries: Sequence[str], k: int, per_doc_cap: int = 2, min_docs: int = 1) -> list[Found]:
        """The collection's best chunks for the queries that clear the relevance floor (at most ``k``)."""
        hits = search(self.store, queries, k=k * CORPUS_CANDIDATES, per_doc_cap=per_doc_cap,
                      min_distinct_docs=min_docs, kinds={"corpus"}, mode="bm25")
        if not hits:
            return []
        if not self.dense:
            terms = content_tokens(" ".join(queries))
            return [Found(h.record, h.score, None) for h in hits if terms & content_tokens(h.record.text)][:k]
        positions = [self._positions[hit.record.id] for hit in hits]
        vectors = self.store.vectors_at(positions)
        query_matrix = np.stack([self.store.query_vector(query) for query in queries])
        best = (vectors @ query_matrix.T).max(axis=1)
        kept = [Found(h.record, h.score, float(s)) for h, s in zip(hits, best, strict=True)
                if s >= self.corpus_floor]
        return sorted(kept, key=lambda found: -(found.similarity or 0.0))[:k]

    def _dense_rankings(
        self, queries: Sequence[str], records: list[SourceRecord], vectors: np.ndarray
    ) -> tuple[list[list[SourceRecord]], dict[str, float]]:
        """Per query, the records by cosine (best first); per record, its best cosine over the queries."""
        rankings: list[list[SourceRecord]] = []
        similarity: dict[str, float] = {}
        for query in queries:
            sims = vectors @ self.store.query_vector(query)
            rankings.append([records[i] for i in np.argsort(-sims, kind="stable")])
            for record, sim in zip(records, sims, strict=True):
                similarity[record.id] = max(similarity.get(record.id, -1.0), float(sim))
        return rankings, similarity


def is_bibliography(text: str) -> bool:
    """Reference-list entries (two or more entry marks: "2019. Title", "In Proceedings", "arXiv preprint")."""
    return len(_REFERENCE.findall(text)) >= 2


def _fuse(rankings: Sequence[Sequence[SourceRecord]], similarity: dict[str, float]) -> list[Found]:
    scores: dict[str, float] = {}
    by_id: dict[str, SourceRecord] = {}
    for ranking in rankings:
        for rank, record in enumerate(ranking, start=1):
            scores[record.id] = scores.get(record.id, 0.0) + 1.0 / (RRF_K + rank)
            by_id[record.id] = record
    ordered = sorted(scores, key=lambda rid: (-scores[rid], rid))
    return [Found(by_id[rid], round(scores[rid], 6), similarity.get(rid)) for rid in ordered]


