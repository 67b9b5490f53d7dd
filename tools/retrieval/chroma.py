"""Chroma, embedded or as a server: the client, and a collection's ANN (HNSW) search over an index's vectors.

``chroma_client`` opens an ``HttpClient`` for a ``chroma run`` server (shared by every run and replica), or
an embedded ``PersistentClient`` under a directory (benches only: it is not process-safe, so runs keep
their embedding cache in vectorfile.py's SQLite file and search exactly without a server). Chroma never embeds
anything here: its default embedding function would download model weights, so every vector is passed in.

:class:`ChromaDenseIndex` holds every record vector of one retrieval index in its own server collection,
named by the index key and published whole, so Chroma's HNSW index answers "the nearest records" without
numpy touching every vector.
Whether that is faster depends on the size: ``ANN_MIN_RECORDS`` comes from bench/dense_search.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from reportgraph.tools.registry import short_hash

CHROMA_BATCH = 500  # rows per add/get request: keeps each HTTP body small
# bench/dense_search.py on this project's busy 2-core machine (synthetic 1536-d vectors, top-50, median per
# query): numpy over every vector 0.08 ms at 1,000 records vs Chroma 2.7 ms; at 4,000 numpy 24 ms vs Chroma
# 9 ms (embedded) / 20 ms (server); at 12,000 numpy 24 ms vs 6–8 ms. ANN (recall@50 ≥ 0.96) from 4,000 on.
ANN_MIN_RECORDS = 4_000


def chroma_client(cache_dir: str | Path | None, chroma_url: str | None) -> Any:
    """A Chroma client: the server at ``chroma_url`` (``http://host:port``), else embedded under
    ``<cache_dir>/chroma``. Raises whatever chromadb raises when the server cannot be reached."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "//" in chroma_url else f"http://{chroma_url}")
        return chromadb.HttpClient(host=url.hostname or "localhost",
                                   port=url.port or (443 if url.scheme == "https" else 8000),
                                   ssl=url.scheme == "https", settings=settings)
    if cache_dir is None:
        raise ValueError("an embedded Chroma needs a cache directory")
    return chromadb.PersistentClient(path=str(Path(cache_dir) / "chroma"), settings=settings)


def collection_name(prefix: str, name: str) -> str:
    """A valid, stable collection name: 3–512 characters of [a-zA-Z0-9._-], starting and ending with a
    letter or digit (Chroma's rule), readable part first, a hash of the full name last."""
    readable = re.sub(r"[^a-zA-Z0-9_-]+", "-", name)[:48].strip("-_")
    return f"{prefix}-{readable}-{short_hash(name, length=8)}"


def open_collection(client: Any, name: str, metadata: dict[str, str]) -> Any:
    return client.get_or_create_collection(
        name,
        embedding_function=None,  # never let Chroma embed (its default downloads weights)
        metadata=metadata,
        configuration={"hnsw": {"space": "cosine"}},
    )


class ChromaDenseIndex:
    """The vectors of one retrieval index (row i = record position i) in a Chroma server's collection.

    Published once per index key: written under a private name, then renamed to the key's name, so a run
    never opens a collection another run is still writing (a killed writer leaves only its private one).
    """

    def __init__(self, collection: Any, size: int) -> None:
        self.collection = collection
        self.size = size

    @classmethod
    def published(cls, client: Any, index_key: str, size: int) -> ChromaDenseIndex | None:
        """The index's published collection, or None when none is (a collection of the key's name with
        fewer rows was filled in place by an earlier version: it is dropped)."""
        name = collection_name("ann", index_key)
        if name not in {getattr(c, "name", c) for c in client.list_collections()}:
            return None
        index = cls(client.get_collection(name, embedding_function=None), size)
        if index.complete:
            return index
        client.delete_collection(name)
        return None

    @classmethod
    def publish(
        cls, client: Any, index_key: str, matrix: np.ndarray, kinds: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> ChromaDenseIndex:
        """Writes every row under a private name, then renames it to the index's name. When another writer
        published first, its collection is used and this one dropped."""
        private = collection_name("ann-writing", f"{index_key}-{uuid.uuid4().hex}")
        index = cls(open_collection(client, private, {"index_key": index_key}), len(matrix))
        try:
            index.fill(matrix, kinds, progress)
            if cls.published(client, index_key, len(matrix)) is None:
                index.collection.modify(name=collection_name("ann", index_key))
                return index
        except Exception:
            if cls.published(client, index_key, len(matrix)) is None:
                raise
        client.delete_collection(private)
        found = cls.published(client, index_key, len(matrix))
        if found is None:
            raise RuntimeError(f"ANN collection of {index_key} vanished after it was published")
        return found

    @property
    def complete(self) -> bool:
        return bool(self.collection.count() == self.size)

    def fill(
        self, matrix: np.ndarray, kinds: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Stores every row with its record kind (for kind-limited searches); ``progress(done, total)``
        after each batch."""
        for start in range(0, len(matrix), CHROMA_BATCH):
            end = min(start + CHROMA_BATCH, len(matrix))
            self.collection.upsert(ids=[str(i) for i in range(start, end)], embeddings=matrix[start:end],
                                   metadatas=[{"kind": str(kind)} for kind in kinds[start:end]])
            if progress is not None:
                progress(end, len(matrix))

    def nearest(self, vector: np.ndarray, n: int, kinds: Collection[str] | None = None) -> list[int]:
        """Record positions of the ``n`` nearest vectors, best first (approximate: HNSW)."""
        where = {"kind": {"$in": sorted(kinds)}} if kinds is not None else None
        result = self.collection.query(query_embeddings=[vector], n_results=min(n, self.size), where=where,
                                       include=[])
        return [int(i) for i in result["ids"][0]]
