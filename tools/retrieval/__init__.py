"""Retrieval wing: the index of a task's materials (store and cache) and hybrid search over it.

``build_task_index`` / ``build_or_load`` give an :class:`IndexBuild` whose ``store`` is searched with
:func:`search`; ``lexical`` (BM25) and ``embeddings`` (dense vectors and their cache) serve them.
"""

from reportgraph.tools.retrieval.embeddings import (
    EmbedderChoice,
    EmbedderSettings,
    embedder_settings,
    select_embedder,
)
from reportgraph.tools.retrieval.focused import FocusedSearch
from reportgraph.tools.retrieval.hybrid import Hit, SearchMode, prefetch_rerank, rerank_candidates, search
from reportgraph.tools.retrieval.index import (
    INDEX_VERSION,
    IndexBuild,
    build_materials,
    build_or_load,
    build_task_index,
    describe,
)
from reportgraph.tools.retrieval.packs import SectionPack, build_packs, materials_first, outline_packs
from reportgraph.tools.retrieval.store import IndexStore, ProgressCallback, RetrievalSettings, index_text

__all__ = [
    "INDEX_VERSION",
    "EmbedderChoice",
    "EmbedderSettings",
    "FocusedSearch",
    "Hit",
    "IndexBuild",
    "IndexStore",
    "ProgressCallback",
    "RetrievalSettings",
    "SearchMode",
    "SectionPack",
    "build_materials",
    "build_or_load",
    "build_packs",
    "build_task_index",
    "describe",
    "embedder_settings",
    "index_text",
    "materials_first",
    "outline_packs",
    "prefetch_rerank",
    "rerank_candidates",
    "search",
    "select_embedder",
]
