"""Chroma, embedded or as a server: the client, and a collection's ANN (HNSW) search over an index's vectors.

``chroma_client`` opens an embedded ``PersistentClient`` under the cache directory (one process at a time)
or an ``HttpClient`` for a ``chroma run`` server (shared by every run and replica). Chroma never embeds
anything here: its default embedding function would download model weights, so every vector is passed in.

:class:`ChromaDenseIndex` holds every record vector of one retrieval index in its own collection, named by
the index key, so Chroma's HNSW index answers "the nearest records" without numpy touching every vector.
Whether that is faster depends on the size: ``ANN_MIN_RECORDS`` comes from bench/dense_search.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
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
    """The vectors of one retrieval index (row i = record position i) in a Chroma collection.

    Written once per index key; concurrent writers add the same ids with the same vectors, so a second
    builder is harmless. ``complete`` says whether every row is there (a killed writer leaves fewer).
    """

    def __init__(self, collection: Any, size: int) -> None:
        self.collection = collection
        self.size = size

    @classmethod
    def open(cls, client: Any, index_key: str, size: int) -> ChromaDenseIndex:
        collection = open_collection(client, collection_name("ann", index_key), {"index_key": index_key})
        return cls(collection, size)

    @property
    def complete(self) -> bool:
        return bool(self.collection.count() == self.size)

    def fill(self, matrix: np.ndarray, kinds: Sequence[str]) -> None:
        """Stores every row with its record kind (for kind-limited searches)."""
        for start in range(0, len(matrix), CHROMA_BATCH):
            end = min(start + CHROMA_BATCH, len(matrix))
            self.collection.upsert(ids=[str(i) for i in range(start, end)], embeddings=matrix[start:end],
                                   metadatas=[{"kind": str(kind)} for kind in kinds[start:end]])

    def nearest(self, vector: np.ndarray, n: int, kinds: Collection[str] | None = None) -> list[int]:
        """Record positions of the ``n`` nearest vectors, best first (approximate: HNSW)."""
        where = {"kind": {"$in": sorted(kinds)}} if kinds is not None else None
        result = self.collection.query(query_embeddings=[vector], n_results=min(n, self.size), where=where,
                                       include=[])
        return [int(i) for i in result["ids"][0]]
