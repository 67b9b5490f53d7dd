"""Hybrid retrieval over corpus chunks and PDF pages, and the on-disk index cache.

BM25 always runs. With an embedder, dense similarity joins by reciprocal-rank fusion. A local embedder
(about two passages a second) cannot embed a 12,000-document corpus up front, so by default it re-ranks
BM25's candidates, embedding each candidate once and caching it by text hash for later queries and runs;
a remote OpenAI-compatible embedder indexes every chunk and searches them all. Results are diversified:
at most ``per_doc_cap`` chunks per document, at least ``min_distinct_docs`` documents when the corpus
has them, and no near-duplicate chunks (the same article copied under another title).

:func:`build_or_load` caches the index under ``cache_dir/indexes/<key>``; the key hashes the input
files, the chunking and BM25 settings, the embedder and this code. A build is written to a temporary
directory, marked complete and renamed into place, under an exclusive file lock: an interrupted build is
never trusted, and a second process building the same index waits and then loads the first one's.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_document
from reportgraph.tools.intake.corpus import CorpusLoadReport, load_corpus
from reportgraph.tools.intake.pdf import PdfExtraction, extract_pdf
from reportgraph.tools.registry import SourceKind, SourceRecord
from reportgraph.tools.retrieval.embeddings import CachedEmbedder, Embedder
from reportgraph.tools.retrieval.lexical import LexicalIndex, LexicalSettings, top_positions

SearchMode = Literal["bm25", "dense", "hybrid"]
DenseStrategy = Literal["auto", "rerank", "full"]
ProgressCallback = Callable[[str, int, int], None]

INDEX_FORMAT = "reportgraph-index-2"
# Bump whenever loading, chunking, PDF reading or indexing changes what an index holds:
# it is part of every index cache key.
INDEX_VERSION = "1"
_COMPLETE = "COMPLETE"
_SHINGLE = 5
_NON_WORD = re.compile(r"[\W_]+")

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

    def key(self) -> str:
        return f"{self.chunking.key()}|{self.lexical.key()}"


@dataclass(frozen=True)
class Hit:
    record: SourceRecord
    score: float  # fused reciprocal-rank score (summed over queries and methods)
    ranks: dict[str, int]  # best 1-based rank per method ("bm25", "dense") over the queries


def index_text(record: SourceRecord) -> str:
    """What is indexed and embedded for a record.

    An article's title gives each of its few chunks their topic. A PDF's title is left out: repeated on
    every one of its many page chunks, it would lift them all above the corpus for any title word.
    """
    return f"{record.title}\n{record.text}" if record.kind == "corpus" and record.title else record.text


class HybridRetriever:
    """Searches records by BM25, dense similarity or both; see the module docstring."""

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
        self._kinds = np.array([record.kind for record in self.records])
        self._by_id = {record.id: position for position, record in enumerate(self.records)}
        self._doc_keys = [record.doc_id or record.id for record in self.records]
        self._text_keys = [hash(record.text) for record in self.records]
        self._vectors: dict[int, np.ndarray] = {}
        self._query_vectors: dict[str, np.ndarray] = {}

    @classmethod
    def from_records(
        cls,
        records: Sequence[SourceRecord],
        settings: RetrievalSettings | None = None,
        embedder: Embedder | None = None,
        progress: ProgressCallback | None = None,
    ) -> HybridRetriever:
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

    def search(
        self,
        queries: str | Sequence[str],
        k: int = 10,
        per_doc_cap: int | None = 2,
        min_distinct_docs: int = 3,
        mode: SearchMode = "hybrid",
        kinds: Collection[SourceKind] | None = None,
    ) -> list[Hit]:
        """The ``k`` best records for one or several queries (several phrasings of a need, zh and en).

        ``per_doc_cap=None`` lifts the per-document cap (e.g. when searching only one PDF's pages);
        ``kinds`` limits the search to some record kinds. Without an embedder every mode is BM25.
        """
        query_list = [queries] if isinstance(queries, str) else list(queries)
        unique_queries = list(dict.fromkeys(query.strip() for query in query_list if query.strip()))
        if not unique_queries or not self.records or k <= 0 or self.lexical is None:
            return []
        mask = np.isin(self._kinds, list(kinds)).astype(np.float32) if kinds is not None else None
        pool = max(k * 5, self.settings.rerank_candidates)
        scores: dict[tuple[str, str], np.ndarray] = {}  # (method, query) → scores, kept while deepening
        while True:
            rankings = self._rankings(unique_queries, pool, mask, mode, scores)
            fused, best_ranks = self._fuse(rankings)
            ordered = sorted(fused, key=lambda position: (-fused[position], position))
            chosen = self._diversify(ordered, k, per_doc_cap, min_distinct_docs)
            truncated = any(len(ranking) == pool for per_query in rankings.values() for ranking in per_query)
            if len(chosen) >= k or not truncated:
                break
            pool *= 4  # the cap and de-duplication used up the candidates: look deeper
        return [Hit(self.records[p], round(fused[p], 6), best_ranks[p]) for p in chosen]

    def _rankings(
        self,
        queries: list[str],
        pool: int,
        mask: np.ndarray | None,
        mode: SearchMode,
        scores: dict[tuple[str, str], np.ndarray],
    ) -> dict[str, list[list[int]]]:
        """Per method, the positions each query ranks (best first, at most ``pool``)."""
        assert self.lexical is not None
        lexical = self.lexical

        def bm25() -> list[list[int]]:
            rankings = []
            for query in queries:
                if ("bm25", query) not in scores:
                    scores["bm25", query] = lexical.scores(query, mask)
                top = top_positions(scores["bm25", query], pool)
                # A chunk matching a small part of the query (one common word) is noise, not a weak hit.
                floor = top[0][1] * self.settings.min_relative_score if top else 0.0
                rankings.append([position for position, score in top if score >= floor])
            return rankings

        # Re-ranking needs BM25's candidates even for dense-only search (unless every vector is known).
        rerank = self.dense_strategy == "rerank"
        lexical_rankings = bm25() if mode != "dense" or self.embedder is None or rerank else None
        rankings: dict[str, list[list[int]]] = {}
        if mode != "dense" or self.embedder is None:
            assert lexical_rankings is not None
            rankings["bm25"] = lexical_rankings
        if mode != "bm25" and self.embedder is not None:
            dense = self._dense_rankings(queries, pool, mask, lexical_rankings, scores)
            if dense is not None:
                rankings["dense"] = dense
            elif "bm25" not in rankings:  # the embedder failed: answer lexically rather than not at all
                rankings["bm25"] = lexical_rankings if lexical_rankings is not None else bm25()
        return rankings

    def _fuse(
        self, rankings: dict[str, list[list[int]]]
    ) -> tuple[dict[int, float], dict[int, dict[str, int]]]:
        """Reciprocal-rank fusion over methods and queries, and each position's best rank per method."""
        weights = {"bm25": self.settings.lexical_weight, "dense": self.settings.dense_weight}
        fused: dict[int, float] = {}
        best_ranks: dict[int, dict[str, int]] = {}
        for method, per_query in rankings.items():
            for ranking in per_query:
                for rank, position in enumerate(ranking, start=1):
                    fused[position] = fused.get(position, 0.0) + weights[method] / (
                        self.settings.rrf_k + rank
                    )
                    ranks = best_ranks.setdefault(position, {})
                    ranks[method] = min(rank, ranks.get(method, rank))
        return fused, best_ranks

    def _dense_rankings(
        self,
        queries: list[str],
        pool: int,
        mask: np.ndarray | None,
        lexical_rankings: list[list[int]] | None,
        scores: dict[tuple[str, str], np.ndarray],
    ) -> list[list[int]] | None:
        """Per-query positions by dense similarity; None when the embedder fails (then it is switched off).

        Over every record when all vectors are known (or the strategy is "full"), else over BM25's
        candidates: a local model is never made to embed a whole corpus as a side effect of a search.
        """
        try:
            query_vectors = [self._query_vector(query) for query in queries]
            if self.dense_strategy == "full" or lexical_rankings is None:
                matrix = self.embed_all()
                for query, vector in zip(queries, query_vectors, strict=True):
                    if ("dense", query) not in scores:
                        similarity = (
                            matrix @ vector + 1.0
                        )  # cosine shifted to [0, 2]: positive for top_positions
                        scores["dense", query] = similarity * mask if mask is not None else similarity
                return [[p for p, _ in top_positions(scores["dense", query], pool)] for query in queries]
            candidates = sorted(self._rerank_candidates(lexical_rankings))
            if not candidates:
                return [[] for _ in queries]
            vectors = self._candidate_vectors(candidates)
            order = np.asarray(candidates)
            return [
                order[np.argsort(-(vectors @ vector), kind="stable")].tolist() for vector in query_vectors
            ]
        except Exception as error:  # network, server or model errors: keep answering with BM25
            message = f"dense retrieval switched off after an embedder error: {error}"
            logger.warning(message)
            self.problems.append(message)
            self.embedder = None
            return None

    def _rerank_candidates(self, lexical_rankings: list[list[int]]) -> set[int]:
        """Each query's best BM25 positions with distinct texts (copies would waste embedding time)."""
        candidates: set[int] = set()
        for ranking in lexical_rankings:
            texts: set[int] = set()
            for position in ranking:
                if len(texts) == self.settings.rerank_candidates:
                    break
                if self._text_keys[position] not in texts:
                    texts.add(self._text_keys[position])
                    candidates.add(position)
        return candidates

    def _query_vector(self, query: str) -> np.ndarray:
        assert self.embedder is not None
        if query not in self._query_vectors:
            self._query_vectors[query] = self.embedder.embed_query(query)
        return self._query_vectors[query]

    def _candidate_vectors(self, positions: list[int]) -> np.ndarray:
        missing = [p for p in positions if p not in self._vectors]
        if missing:
            vectors = self._embed([index_text(self.records[p]) for p in missing])
            self._vectors.update(zip(missing, vectors, strict=True))
        return np.stack([self._vectors[p] for p in positions])

    def _embed(self, texts: list[str], progress: ProgressCallback | None = None) -> np.ndarray:
        assert self.embedder is not None
        if isinstance(self.embedder, CachedEmbedder):
            return self.embedder.embed_documents(texts, progress)
        vectors = self.embedder.embed_documents(texts)
        if progress is not None:
            progress("embed", len(texts), len(texts))
        return vectors

    def _diversify(
        self, ordered: list[int], k: int, per_doc_cap: int | None, min_distinct_docs: int
    ) -> list[int]:
        """Pick ``k`` in fused order: per-document cap, no near-duplicates, slots kept for new documents."""
        chosen: list[int] = []
        chosen_texts: set[int] = set()
        chosen_shingles: list[set[int]] = []
        per_doc: Counter[str] = Counter()
        held_back: list[int] = []

        def admissible(position: int) -> set[int] | None:
            """The position's shingles if it may join: under its document's cap and not a copy of a pick."""
            if per_doc_cap is not None and per_doc[self._doc_keys[position]] >= per_doc_cap:
                return None
            if self._text_keys[position] in chosen_texts:  # exact copies are common: skip them cheaply
                return None
            shingles = _shingles(self.records[position].text)
            threshold = self.settings.duplicate_jaccard
            return (
                None if any(_jaccard(shingles, other) >= threshold for other in chosen_shingles) else shingles
            )

        def choose(position: int, shingles: set[int]) -> None:
            chosen.append(position)
            chosen_texts.add(self._text_keys[position])
            chosen_shingles.append(shingles)
            per_doc[self._doc_keys[position]] += 1

        for position in ordered:
            if len(chosen) == k:
                break
            shingles = admissible(position)
            if shingles is None:
                continue
            if self._doc_keys[position] in per_doc and k - len(chosen) <= min_distinct_docs - len(per_doc):
                held_back.append(position)  # the remaining slots are reserved for other documents
                continue
            choose(position, shingles)
        for position in held_back:  # not enough other documents: fill up with what was held back
            if len(chosen) == k:
                break
            shingles = admissible(position)
            if shingles is not None:
                choose(position, shingles)
        rank_of = {position: rank for rank, position in enumerate(ordered)}
        return sorted(chosen, key=rank_of.__getitem__)


def _shingles(text: str) -> set[int]:
    compact = _NON_WORD.sub("", text.lower())
    return {hash(compact[i : i + _SHINGLE]) for i in range(max(1, len(compact) - _SHINGLE + 1))}


def _jaccard(first: set[int], second: set[int]) -> float:
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


# ---------------------------------------------------------------------------------------------- index cache


@dataclass
class IndexBuild:
    """What :func:`build_or_load` returns: the retriever plus how it was obtained."""

    retriever: HybridRetriever
    cache_hit: bool
    key: str
    index_dir: Path | None  # None when the cache directory was not writable (index kept in memory)
    timings: dict[str, float]
    corpus_report: CorpusLoadReport | None
    pdfs: list[PdfExtraction]
    problems: list[str]


def build_or_load(
    corpus_path: str | Path | None,
    pdf_paths: Sequence[str | Path] = (),
    cache_dir: str | Path = Path(".cache"),
    settings: RetrievalSettings | None = None,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
) -> IndexBuild:
    """The retriever for a task's materials, from the cache when an identical index was built before.

    Raises :class:`~reportgraph.tools.intake.taskio.BadInputError` when the corpus is malformed; PDF problems
    are reported in ``pdfs[i].problems`` instead.
    """
    settings = settings or RetrievalSettings()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    corpus = Path(corpus_path) if corpus_path is not None else None
    pdfs = [Path(path) for path in pdf_paths]
    key = index_key(corpus, pdfs, settings, embedder)
    timings["hash"] = time.perf_counter() - started

    index_dir: Path | None = Path(cache_dir) / "indexes" / key[:24]
    problems: list[str] = []
    try:
        (Path(cache_dir) / "indexes").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problems.append(f"index cache {cache_dir} not writable ({error}); the index is kept in memory only")
        index_dir = None

    loaded = _try_load(index_dir, key, settings, embedder, progress) if index_dir is not None else None
    cache_hit = loaded is not None
    if loaded is None:
        with _build_lock(index_dir):
            # Another process may have completed the same index while this one waited for the lock.
            loaded = (
                _try_load(index_dir, key, settings, embedder, progress) if index_dir is not None else None
            )
            cache_hit = loaded is not None
            if loaded is None:
                loaded = _build(corpus, pdfs, settings, embedder, progress, timings)
                if index_dir is not None:
                    _save(loaded, index_dir, key, progress, timings)
    retriever, corpus_report, extractions = loaded
    if cache_hit:
        timings["load"] = time.perf_counter() - started - timings["hash"]

    if retriever.dense_strategy == "full" and retriever.dense_matrix is None:
        dense_started = time.perf_counter()
        try:
            _attach_dense(retriever, index_dir, progress)
        except Exception as error:  # a failing endpoint must not fail the run: BM25 still answers
            problems.append(f"dense index not built, BM25 only: {error}")
            logger.warning(problems[-1])
            retriever.embedder = None
        timings["dense"] = time.perf_counter() - dense_started
    timings["total"] = time.perf_counter() - started
    return IndexBuild(
        retriever,
        cache_hit,
        key,
        index_dir,
        {name: round(value, 3) for name, value in timings.items()},
        corpus_report,
        extractions,
        problems,
    )


def index_key(
    corpus: Path | None, pdfs: Sequence[Path], settings: RetrievalSettings, embedder: Embedder | None
) -> str:
    digest = hashlib.sha256()
    for part in (INDEX_FORMAT, INDEX_VERSION, settings.key(), embedder.name if embedder else "no-embedder"):
        digest.update(part.encode() + b"\x00")
    inputs = ([("corpus", corpus)] if corpus is not None else []) + [("pdf", pdf) for pdf in pdfs]
    for kind, path in inputs:
        digest.update(f"{kind}:{path.name}:{file_sha1(path)}".encode() + b"\x00")
    return digest.hexdigest()


def file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_Loaded = tuple[HybridRetriever, CorpusLoadReport | None, list[PdfExtraction]]


def _build(
    corpus: Path | None,
    pdfs: list[Path],
    settings: RetrievalSettings,
    embedder: Embedder | None,
    progress: ProgressCallback | None,
    timings: dict[str, float],
) -> _Loaded:
    records: list[SourceRecord] = []
    corpus_report = None
    if corpus is not None:
        stage_started = time.perf_counter()
        _report(progress, "corpus", 0, 1)
        loaded = load_corpus(corpus)
        corpus_report = loaded.report
        _report(progress, "corpus", 1, 1)
        timings["corpus"] = time.perf_counter() - stage_started

        stage_started = time.perf_counter()
        total = len(loaded.documents)
        for done, document in enumerate(loaded.documents, start=1):
            records.extend(chunk_document(document, settings.chunking, corpus.name))
            if progress is not None and (done % 500 == 0 or done == total):
                progress("chunk", done, total)
        timings["chunk"] = time.perf_counter() - stage_started
        del loaded  # the chunks hold the text now; free the documents before indexing

    extractions = []
    stage_started = time.perf_counter()
    for done, pdf in enumerate(pdfs, start=1):
        extraction = extract_pdf(pdf, settings.chunking)
        extractions.append(extraction)
        records.extend(extraction.records)
        _report(progress, "pdf", done, len(pdfs))
    timings["pdf"] = time.perf_counter() - stage_started

    stage_started = time.perf_counter()
    retriever = HybridRetriever.from_records(records, settings, embedder, progress)
    timings["lexical"] = time.perf_counter() - stage_started
    return retriever, corpus_report, extractions


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


@contextlib.contextmanager
def _build_lock(index_dir: Path | None) -> Iterator[None]:
    """Exclusive lock per index key: a second builder waits for the first and then loads its result."""
    if index_dir is None:
        yield
        return
    with open(index_dir.parent / f"{index_dir.name}.lock", "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _save(
    build: _Loaded, index_dir: Path, key: str, progress: ProgressCallback | None, timings: dict[str, float]
) -> None:
    """Write to a temporary directory, mark it complete, rename it into place (call under the lock)."""
    stage_started = time.perf_counter()
    retriever, corpus_report, extractions = build
    # Leftovers of interrupted builds of this key: nobody else can be writing them while we hold the lock.
    for leftover in index_dir.parent.glob(f".tmp-{index_dir.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if index_dir.exists():
        shutil.rmtree(index_dir)  # incomplete (no marker) or unreadable: never trusted
    temporary = index_dir.parent / f".tmp-{index_dir.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    _report(progress, "save", 0, 1)
    records_json = json.dumps(
        [record.model_dump(mode="json") for record in retriever.records], ensure_ascii=False
    )
    (temporary / "records.json").write_text(records_json, encoding="utf-8")
    if retriever.lexical is not None:
        retriever.lexical.save(temporary / "lexical")
    manifest = {
        "key": key,
        "format": INDEX_FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "records": len(retriever.records),
        "corpus_report": corpus_report.model_dump(mode="json") if corpus_report else None,
        "pdfs": [extraction.model_dump(mode="json", exclude={"records"}) for extraction in extractions],
    }
    (temporary / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (temporary / _COMPLETE).write_text(key, encoding="utf-8")
    try:
        temporary.rename(index_dir)
    except OSError:  # another builder got there first (lock not honoured, e.g. on NFS): use theirs
        shutil.rmtree(temporary, ignore_errors=True)
        if not _is_complete(index_dir, key):
            raise
    _report(progress, "save", 1, 1)
    timings["save"] = time.perf_counter() - stage_started


def _is_complete(index_dir: Path, key: str) -> bool:
    marker = index_dir / _COMPLETE
    return marker.is_file() and marker.read_text(encoding="utf-8") == key


def _try_load(
    index_dir: Path,
    key: str,
    settings: RetrievalSettings,
    embedder: Embedder | None,
    progress: ProgressCallback | None,
) -> _Loaded | None:
    """The cached index, or None when there is none or it cannot be trusted."""
    if not _is_complete(index_dir, key):
        return None
    try:
        _report(progress, "load", 0, 1)
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
        records = [
            SourceRecord.model_validate(entry)
            for entry in json.loads((index_dir / "records.json").read_text(encoding="utf-8"))
        ]
        lexical = LexicalIndex.load(index_dir / "lexical") if records else None
        extractions = [PdfExtraction.model_validate(entry) for entry in manifest["pdfs"]]
        for extraction in extractions:
            extraction.records = [r for r in records if r.kind == "pdf" and r.doc_id == extraction.doc_id]
        report = manifest["corpus_report"]
        corpus_report = CorpusLoadReport.model_validate(report) if report else None
        dense_path = index_dir / "dense.npy"
        dense = np.load(dense_path) if embedder is not None and dense_path.is_file() else None
        _report(progress, "load", 1, 1)
    except (OSError, ValueError, KeyError, TypeError) as error:  # damaged: rebuild rather than fail
        logger.warning("cached index %s unreadable (%s); rebuilding", index_dir, error)
        return None
    return HybridRetriever(records, lexical, settings, embedder, dense), corpus_report, extractions


def _attach_dense(
    retriever: HybridRetriever, index_dir: Path | None, progress: ProgressCallback | None
) -> None:
    matrix = retriever.embed_all(progress)
    if index_dir is not None and index_dir.is_dir():
        # Written beside a complete index by rename, so readers see all of it or none of it.
        temporary = index_dir / f".dense-{os.getpid()}-{uuid.uuid4().hex[:8]}.npy"
        np.save(temporary, matrix)
        temporary.replace(index_dir / "dense.npy")


def describe(build: IndexBuild) -> dict[str, Any]:
    """A JSON-able summary of a build for run logs."""
    return {
        "cache_hit": build.cache_hit,
        "key": build.key[:24],
        "records": len(build.retriever.records),
        "dense": build.retriever.dense_strategy,
        "timings": build.timings,
        "corpus": build.corpus_report.model_dump(mode="json") if build.corpus_report else None,
        "pdf_problems": [problem.model_dump(mode="json") for pdf in build.pdfs for problem in pdf.problems],
        "problems": build.problems + build.retriever.problems,
    }
