"""Hybrid search over an :class:`~reportgraph.tools.retrieval.store.IndexStore`.

BM25 always runs. With an embedder, dense similarity joins by reciprocal-rank fusion (over every record
when all vectors are known, else over BM25's candidates). Results are diversified: at most ``per_doc_cap``
chunks per document, at least ``min_distinct_docs`` documents when the corpus has them, and no
near-duplicate chunks (the same article copied under another title).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from reportgraph.tools.registry import SourceKind, SourceRecord
from reportgraph.tools.retrieval.lexical import top_positions
from reportgraph.tools.retrieval.store import IndexStore, ProgressCallback

SearchMode = Literal["bm25", "dense", "hybrid"]
Rankings = dict[str, list[list[int]]]  # method ("bm25", "dense") → per query, positions best first
_Scores = dict[tuple[str, str], np.ndarray]  # (method, query) → scores, kept while a search deepens
_SHINGLE = 5
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Hit:
    record: SourceRecord
    score: float  # fused reciprocal-rank score (summed over queries and methods)
    ranks: dict[str, int]  # best 1-based rank per method ("bm25", "dense") over the queries


def search(
    store: IndexStore,
    queries: str | Sequence[str],
    k: int = 10,
    per_doc_cap: int | None = 2,
    min_distinct_docs: int = 3,
    mode: SearchMode = "hybrid",
    kinds: Collection[SourceKind] | None = None,
) -> list[Hit]:
    """The ``k`` best records for one or several queries (several phrasings of a need, zh and en).

    ``per_doc_cap=None`` lifts the per-document cap (e.g. when searching only one PDF's pages);
    ``kinds`` limits the search to some record kinds. Without an embedder every mode is BM25. An embedder
    error switches dense search off for the store (recorded in ``store.problems``) and BM25 answers.
    """
    query_list = [queries] if isinstance(queries, str) else list(queries)
    unique_queries = list(dict.fromkeys(query.strip() for query in query_list if query.strip()))
    if not unique_queries or not store.records or k <= 0 or store.lexical is None:
        return []
    mask = np.isin(store.kinds, list(kinds)).astype(np.float32) if kinds is not None else None
    pool = max(k * 5, store.settings.rerank_candidates)
    scores: _Scores = {}
    while True:
        rankings = _rankings(store, unique_queries, pool, mask, mode, scores)
        fused, best_ranks = _fuse(store, rankings)
        ordered = sorted(fused, key=lambda position: (-fused[position], position))
        chosen = _diversify(store, ordered, k, per_doc_cap, min_distinct_docs)
        truncated = any(len(ranking) == pool for per_query in rankings.values() for ranking in per_query)
        if len(chosen) >= k or not truncated:
            break
        pool *= 4  # the cap and de-duplication used up the candidates: look deeper
    return [Hit(store.records[p], round(fused[p], 6), best_ranks[p]) for p in chosen]


def rerank_candidates(
    store: IndexStore, queries: str | Sequence[str], k: int = 10, kinds: Collection[SourceKind] | None = None
) -> list[int]:
    """The positions ``search(store, queries, k, kinds=kinds)`` compares densely when the store re-ranks
    (empty otherwise): embed those of many searches in one batch (``store.vectors_at``), then search."""
    query_list = [queries] if isinstance(queries, str) else list(queries)
    unique_queries = list(dict.fromkeys(query.strip() for query in query_list if query.strip()))
    if store.dense_strategy != "rerank" or store.lexical is None or not unique_queries or k <= 0:
        return []
    mask = np.isin(store.kinds, list(kinds)).astype(np.float32) if kinds is not None else None
    pool = max(k * 5, store.settings.rerank_candidates)  # as search's first pass
    return sorted(_rerank_candidates(store, _bm25_rankings(store, unique_queries, pool, mask, {})))


def prefetch_rerank(
    store: IndexStore,
    searches: Sequence[tuple[Sequence[str], int, Collection[SourceKind] | None]],
    progress: ProgressCallback | None = None,
) -> int:
    """Embed in one batch every candidate the given searches (``(queries, k, kinds)`` each, as passed to
    :func:`search`) will compare densely, so they find their vectors ready: large batches cost a local
    model less per passage, and one ``progress("embed", done, total)`` bar covers all of them. Returns how
    many candidates there were. An embedder error switches dense search off, as in a search."""
    wanted: set[int] = set()
    for queries, k, kinds in searches:
        wanted.update(rerank_candidates(store, queries, k, kinds))
    if wanted:
        try:
            store.vectors_at(sorted(wanted), progress)
        except Exception as error:  # network, server or model errors: the searches answer with BM25
            store.switch_off_dense(error)
    return len(wanted)


def _bm25_rankings(
    store: IndexStore, queries: list[str], pool: int, mask: np.ndarray | None, scores: _Scores
) -> list[list[int]]:
    assert store.lexical is not None
    rankings = []
    for query in queries:
        if ("bm25", query) not in scores:
            scores["bm25", query] = store.lexical.scores(query, mask)
        top = top_positions(scores["bm25", query], pool)
        # A chunk matching a small part of the query (one common word) is noise, not a weak hit.
        floor = top[0][1] * store.settings.min_relative_score if top else 0.0
        rankings.append([position for position, score in top if score >= floor])
    return rankings


def _rankings(
    store: IndexStore,
    queries: list[str],
    pool: int,
    mask: np.ndarray | None,
    mode: SearchMode,
    scores: _Scores,
) -> Rankings:
    """Per method, the positions each query ranks (best first, at most ``pool``)."""
    # Re-ranking needs BM25's candidates even for dense-only search (unless every vector is known).
    rerank = store.dense_strategy == "rerank"
    lexical_rankings = (
        _bm25_rankings(store, queries, pool, mask, scores)
        if mode != "dense" or store.embedder is None or rerank
        else None
    )
    rankings: Rankings = {}
    if mode != "dense" or store.embedder is None:
        assert lexical_rankings is not None
        rankings["bm25"] = lexical_rankings
    if mode != "bm25" and store.embedder is not None:
        dense = _dense_rankings(store, queries, pool, mask, lexical_rankings, scores)
        if dense is not None:
            rankings["dense"] = dense
        elif "bm25" not in rankings:  # the embedder failed: answer lexically rather than not at all
            rankings["bm25"] = (
                lexical_rankings
                if lexical_rankings is not None
                else _bm25_rankings(store, queries, pool, mask, scores)
            )
    return rankings


def _fuse(store: IndexStore, rankings: Rankings) -> tuple[dict[int, float], dict[int, dict[str, int]]]:
    """Reciprocal-rank fusion over methods and queries, and each position's best rank per method."""
    settings = store.settings
    weights = {"bm25": settings.lexical_weight, "dense": settings.dense_weight}
    fused: dict[int, float] = {}
    best_ranks: dict[int, dict[str, int]] = {}
    for method, per_query in rankings.items():
        for ranking in per_query:
            for rank, position in enumerate(ranking, start=1):
                fused[position] = fused.get(position, 0.0) + weights[method] / (settings.rrf_k + rank)
                ranks = best_ranks.setdefault(position, {})
                ranks[method] = min(rank, ranks.get(method, rank))
    return fused, best_ranks


def _dense_rankings(
    store: IndexStore,
    queries: list[str],
    pool: int,
    mask: np.ndarray | None,
    lexical_rankings: list[list[int]] | None,
    scores: _Scores,
) -> list[list[int]] | None:
    """Per-query positions by dense similarity; None when the embedder fails (then it is switched off).

    Over every record when all vectors are known (or the strategy is "full"), else over BM25's
    candidates: a local model is never made to embed a whole corpus as a side effect of a search.
    """
    try:
        query_vectors = [store.query_vector(query) for query in queries]
        if store.dense_strategy == "full" or lexical_rankings is None:
            nearest = _ann_rankings(store, query_vectors, pool, mask)
            if nearest is not None:
                return nearest
            matrix = store.embed_all()
            for query, vector in zip(queries, query_vectors, strict=True):
                if ("dense", query) not in scores:
                    similarity = matrix @ vector + 1.0  # cosine shifted to [0, 2]: positive for top_positions
                    scores["dense", query] = similarity * mask if mask is not None else similarity
            return [[p for p, _ in top_positions(scores["dense", query], pool)] for query in queries]
        candidates = sorted(_rerank_candidates(store, lexical_rankings))
        if not candidates:
            return [[] for _ in queries]
        vectors = store.vectors_at(candidates)
        order = np.asarray(candidates)
        return [order[np.argsort(-(vectors @ vector), kind="stable")].tolist() for vector in query_vectors]
    except Exception as error:  # network, server or model errors: keep answering with BM25
        store.switch_off_dense(error)
        return None


def _ann_rankings(
    store: IndexStore, query_vectors: list[np.ndarray], pool: int, mask: np.ndarray | None
) -> list[list[int]] | None:
    """Per-query positions from Chroma's ANN index (large stores); None when there is none or it failed."""
    if store.ann is None:
        return None
    kinds = None if mask is None else set(store.kinds[mask > 0].tolist())
    rankings = []
    for vector in query_vectors:
        ranking = store.ann_nearest(vector, pool, kinds)
        if ranking is None:
            return None
        rankings.append(ranking)
    return rankings


def _rerank_candidates(store: IndexStore, lexical_rankings: list[list[int]]) -> set[int]:
    """Each query's best BM25 positions with distinct texts (copies would waste embedding time)."""
    candidates: set[int] = set()
    for ranking in lexical_rankings:
        texts: set[int] = set()
        for position in ranking:
            if len(texts) == store.settings.rerank_candidates:
                break
            if store.text_keys[position] not in texts:
                texts.add(store.text_keys[position])
                candidates.add(position)
    return candidates


def _diversify(
    store: IndexStore, ordered: list[int], k: int, per_doc_cap: int | None, min_distinct_docs: int
) -> list[int]:
    """Pick ``k`` in fused order: per-document cap, no near-duplicates, slots kept for new documents."""
    chosen: list[int] = []
    chosen_texts: set[int] = set()
    chosen_shingles: list[set[int]] = []
    per_doc: Counter[str] = Counter()
    held_back: list[int] = []

    def admissible(position: int) -> set[int] | None:
        """The position's shingles if it may join: under its document's cap and not a copy of a pick."""
        if per_doc_cap is not None and per_doc[store.doc_keys[position]] >= per_doc_cap:
            return None
        if store.text_keys[position] in chosen_texts:  # exact copies are common: skip them cheaply
            return None
        shingles = _shingles(store.records[position].text)
        threshold = store.settings.duplicate_jaccard
        return None if any(_jaccard(shingles, other) >= threshold for other in chosen_shingles) else shingles

    def choose(position: int, shingles: set[int]) -> None:
        chosen.append(position)
        chosen_texts.add(store.text_keys[position])
        chosen_shingles.append(shingles)
        per_doc[store.doc_keys[position]] += 1

    for position in ordered:
        if len(chosen) == k:
            break
        shingles = admissible(position)
        if shingles is None:
            continue
        if store.doc_keys[position] in per_doc and k - len(chosen) <= min_distinct_docs - len(per_doc):
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
