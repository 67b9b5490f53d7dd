"""The index store: a task's citable records, their BM25 index and, with an embedder, their vectors.

The store holds what a search reads (see :func:`~reportgraph.tools.retrieval.hybrid.search`). A local
embedder (about two passages a second) cannot embed a 12,000-document corpus up front, so by default only
BM25's candidates are embedded, each once, and kept by position here (and by text hash in the embedding
cache); a remote OpenAI-compatible embedder indexes every record and is searched over all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from reportgraph.tools.intake.chunking import ChunkingSettings
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.chroma import ANN_MIN_RECORDS, ChromaDenseIndex
from reportgraph.tools.retrieval.embeddings import CachedEmbedder, Embedder
from reportgraph.tools.retrieval.lexical import LexicalIndex, LexicalSettings

DenseStrategy = Literal["auto", "rerank", "full"]
ProgressCallback = Callable[[str, int, int], None]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrievalSettings:
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    lexical: LexicalSettings = field(default_factory=LexicalSettings)
    dense: DenseStrategy = "auto"  # auto: "full" when the embedder can index a whole corpus, else "rerank"
    rerank_candidates: int = 20  # BM25 candidates per query compared by dense similarity (rerank)
    rrf_k: int = 60
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    duplicate_jaccard: float = 0.8  # chunks sharing this much of their 5-gram shingles are duplicates
    min_relative_score: float = 0.3  # BM25 hits under this share of the query's best score are dropped
    ann_min_records: int = ANN_MIN_RECORDS  # from this size, full dense search runs in Chroma's ANN index

    def key(self) -> str:
        return f"{self.chunking.key()}|{self.lexical.key()}"


def index_text(record: SourceRecord) -> str:
    """What is indexed and embedded for a record.

    An article's title gives each of its few chunks their topic. A PDF's title is left out: repeated on
    every one of its many page chunks, it would lift them all above the corpus for any title word.
    """
    return f"{record.title}\n{record.text}" if record.kind == "corpus" and record.title else record.text


class IndexStore:
    """Records by position, their BM25 index (None when there are no records) and their dense vectors."""

    def __init__(
        self,
        records: Sequence[SourceRecord],
        lexical: LexicalIndex | None,
        settings: RetrievalSettings | None = None,
        embedder: Embedder | None = None,
        dense_matrix: np.ndarray | None = None,
    ) -> None:
        self.records = list(records)
        self.lexical = lexical
        self.settings = settings or RetrievalSettings()
        self.embedder = embedder
        self.dense_matrix = dense_matrix  # every record's vector, when the whole corpus is embedded
        self.problems: list[str] = []
        self.ann: ChromaDenseIndex | None = None  # the same vectors in Chroma's HNSW index (large stores)
        self.kinds = np.array([record.kind for record in self.records])
        self.doc_keys = [record.doc_id or record.id for record in self.records]
        self.text_keys = [hash(record.text) for record in self.records]
        self._by_id = {record.id: position for position, record in enumerate(self.records)}
        self._vectors: dict[int, np.ndarray] = {}
        self._query_vectors: dict[str, np.ndarray] = {}

    @classmethod
    def from_records(
        cls,
        records: Sequence[SourceRecord],
        settings: RetrievalSettings | None = None,
        embedder: Embedder | None = None,
        progress: ProgressCallback | None = None,
    ) -> IndexStore:
        """A store with a freshly built BM25 index (the index cache calls this on a miss)."""
        settings = settings or RetrievalSettings()
        lexical = (
            LexicalIndex.build([index_text(record) for record in records], settings.lexical, progress)
            if records
            else None
        )
        return cls(records, lexical, settings, embedder)

    @property
    def dense_strategy(self) -> Literal["none", "rerank", "full"]:
        if self.embedder is None:
            return "none"
        if self.dense_matrix is not None or self.settings.dense == "full":
            return "full"
        if self.settings.dense == "auto" and self.embedder.indexes_whole_corpus:
            return "full"
        return "rerank"

    def get(self, record_id: str) -> SourceRecord | None:
        position = self._by_id.get(record_id)
        return None if position is None else self.records[position]

    def embed_all(self, progress: ProgressCallback | None = None) -> np.ndarray:
        """Vectors of every record (cached by text hash when the embedder is a :class:`CachedEmbedder`)."""
        if self.embedder is None:
            raise RuntimeError("no embedder configured")
        if self.dense_matrix is None:
            self.dense_matrix = self._embed([index_text(record) for record in self.records], progress)
        return self.dense_matrix

    def query_vector(self, query: str) -> np.ndarray:
        """The query's vector, embedded once per store."""
        assert self.embedder is not None
        if query not in self._query_vectors:
            self._query_vectors[query] = self.embedder.embed_query(query)
        return self._query_vectors[query]

    def vectors_at(self, positions: list[int], progress: ProgressCallback | None = None) -> np.ndarray:
        """The vectors of some records (one row each), embedding only those not seen before.

        ``progress("embed", done, total)`` follows the embedding of the ones not seen before."""
        missing = [p for p in positions if p not in self._vectors]
        if missing:
            vectors = self._embed([index_text(self.records[p]) for p in missing], progress)
            self._vectors.update(zip(missing, vectors, strict=True))
        return np.stack([self._vectors[p] for p in positions])

    def switch_off_dense(self, error: Exception) -> None:
        """After an embedder error: BM25 answers from now on, and the problem is kept for run logs."""
        message = f"dense retrieval switched off after an embedder error: {error}"
        logger.warning(message)
        self.problems.append(message)
        self.embedder = None

    def ann_nearest(self, vector: np.ndarray, n: int, kinds: set[str] | None) -> list[int] | None:
        """Positions of the ``n`` nearest records by Chroma's ANN index; None without one or after a
        Chroma error (then exact numpy search takes over for good, and the problem is kept for run logs)."""
        if self.ann is None:
            return None
        try:
            return self.ann.nearest(vector, n, kinds)
        except Exception as error:  # server gone, collection dropped: the vectors are in memory too
            self.problems.append(f"Chroma ANN search failed, exact search over the vectors instead: {error}")
            logger.warning(self.problems[-1])
            self.ann = None
            return None

    def _embed(self, texts: list[str], progress: ProgressCallback | None = None) -> np.ndarray:
        assert self.embedder is not None
        if isinstance(self.embedder, CachedEmbedder):
            vectors = self.embedder.embed_documents(texts, progress)
            problem = self.embedder.cache.problem  # e.g. the Chroma server stopped: recomputed, kept here
            if problem and problem not in self.problems:
                self.problems.append(problem)
            return vectors
        vectors = self.embedder.embed_documents(texts)
        if progress is not None:
            progress("embed", len(texts), len(texts))
        return vectors
