"""The on-disk index cache of a task's materials: load, chunk, index once; reuse while nothing changed.

:func:`build_or_load` caches the index under ``cache_dir/indexes/<key>``; the key hashes the input
files, the chunking and BM25 settings, the embedder, :data:`INDEX_FORMAT` and :data:`INDEX_VERSION`. A
build is written to a temporary directory, marked complete and renamed into place, under an exclusive file
lock: an interrupted build is never trusted, and a second process building the same index waits and then
loads the first one's. :func:`build_task_index` does this for a task folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from reportgraph.tools.intake.chunking import chunk_document
from reportgraph.tools.intake.corpus import CorpusLoadReport, load_corpus
from reportgraph.tools.intake.documents import DocumentExtraction, read_document
from reportgraph.tools.intake.materials import materials_summary, unread_materials
from reportgraph.tools.intake.pdf import PdfExtraction, extract_pdf
from reportgraph.tools.intake.taskio import Inventory, inventory
from reportgraph.tools.registry import SourceRecord, file_sha1
from reportgraph.tools.retrieval.chroma import ChromaDenseIndex
from reportgraph.tools.retrieval.embeddings import CachedEmbedder, Embedder, EmbedderSettings, select_embedder
from reportgraph.tools.retrieval.lexical import LexicalIndex
from reportgraph.tools.retrieval.store import IndexStore, ProgressCallback, RetrievalSettings

INDEX_FORMAT = "reportgraph-index-2"
# Bump whenever loading, chunking, PDF reading or indexing changes what an index holds:
# it is part of every index cache key.
INDEX_VERSION = "5"
_COMPLETE = "COMPLETE"

logger = logging.getLogger(__name__)


@dataclass
class IndexBuild:
    """What :func:`build_or_load` returns: the index store plus how it was obtained."""

    store: IndexStore
    cache_hit: bool
    key: str
    index_dir: Path | None  # None when the cache directory was not writable (index kept in memory)
    timings: dict[str, float]
    corpus_report: CorpusLoadReport | None
    pdfs: list[PdfExtraction]
    problems: list[str]
    documents: list[DocumentExtraction] = field(default_factory=list)
    inventory: Inventory | None = None  # the folder's, when built by build_task_index


def build_or_load(
    corpus_path: str | Path | None,
    pdf_paths: Sequence[str | Path] = (),
    cache_dir: str | Path = Path(".cache"),
    settings: RetrievalSettings | None = None,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    document_paths: Sequence[str | Path] = (),
) -> IndexBuild:
    """The store for a task's materials (collection, PDFs, other documents), from the cache when an
    identical index was built before.

    Raises :class:`~reportgraph.tools.intake.taskio.BadInputError` when the corpus is malformed; PDF problems
    are reported in ``pdfs[i].problems`` instead.
    """
    settings = settings or RetrievalSettings()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    corpus = Path(corpus_path) if corpus_path is not None else None
    pdfs = [Path(path) for path in pdf_paths]
    documents = [Path(path) for path in document_paths]
    key = index_key(corpus, pdfs, settings, embedder, documents)
    timings["hash"] = time.perf_counter() - started

    index_dir: Path | None = Path(cache_dir) / "indexes" / key[:24]
    problems: list[str] = []
    try:
        (Path(cache_dir) / "indexes").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problems.append(f"index cache {cache_dir} not writable ({error}); the index is kept in memory only")
        index_dir = None

    (store, corpus_report, extractions, read), cache_hit = _load_or_build(
        index_dir, key, (corpus, pdfs, documents), settings, embedder, progress, timings
    )
    if cache_hit:
        timings["load"] = time.perf_counter() - started - timings["hash"]
    if store.dense_strategy == "full" and store.dense_matrix is None:
        dense_started = time.perf_counter()
        try:
            _attach_dense(store, index_dir, progress)
        except Exception as error:  # a failing endpoint must not fail the run: BM25 still answers
            problems.append(f"dense index not built, BM25 only: {error}")
            logger.warning(problems[-1])
            store.embedder = None
        timings["dense"] = time.perf_counter() - dense_started
    if store.dense_matrix is not None and len(store.records) >= settings.ann_min_records:
        ann_started = time.perf_counter()
        _attach_ann(store, key, problems)
        timings["ann"] = time.perf_counter() - ann_started
    timings["total"] = time.perf_counter() - started
    rounded = {name: round(value, 3) for name, value in timings.items()}
    return IndexBuild(store, cache_hit, key, index_dir, rounded, corpus_report, extractions, problems, read)


def _load_or_build(
    index_dir: Path | None,
    key: str,
    inputs: _Inputs,
    settings: RetrievalSettings,
    embedder: Embedder | None,
    progress: ProgressCallback | None,
    timings: dict[str, float],
) -> tuple[_Loaded, bool]:
    """The complete cached index, else a new build saved under the key's lock; and whether it was cached."""
    loaded = _try_load(index_dir, key, settings, embedder, progress) if index_dir is not None else None
    if loaded is not None:
        return loaded, True
    with _build_lock(index_dir):
        # Another process may have completed the same index while this one waited for the lock.
        loaded = _try_load(index_dir, key, settings, embedder, progress) if index_dir is not None else None
        if loaded is not None:
            return loaded, True
        loaded = _build(inputs, settings, embedder, progress, timings)
        if index_dir is not None:
            _save(loaded, index_dir, key, progress, timings)
        return loaded, False


def index_key(
    corpus: Path | None, pdfs: Sequence[Path], settings: RetrievalSettings, embedder: Embedder | None,
    documents: Sequence[Path] = (),
) -> str:
    digest = hashlib.sha256()
    for part in (INDEX_FORMAT, INDEX_VERSION, settings.key(), embedder.name if embedder else "no-embedder"):
        digest.update(part.encode() + b"\x00")
    inputs = ([("corpus", corpus)] if corpus is not None else []) + [("pdf", pdf) for pdf in pdfs]
    inputs += [("document", document) for document in documents]
    for kind, path in inputs:
        digest.update(f"{kind}:{path.name}:{file_sha1(path)}".encode() + b"\x00")
    return digest.hexdigest()


_Loaded = tuple[IndexStore, CorpusLoadReport | None, list[PdfExtraction], list[DocumentExtraction]]
_Inputs = tuple[Path | None, list[Path], list[Path]]  # the collection, the PDFs, the other documents


def _build(
    inputs: _Inputs,
    settings: RetrievalSettings,
    embedder: Embedder | None,
    progress: ProgressCallback | None,
    timings: dict[str, float],
) -> _Loaded:
    corpus, pdfs, documents = inputs
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
    read = [read_document(document, settings.chunking) for document in documents]
    records += [record for document in read for record in document.records]

    stage_started = time.perf_counter()
    store = IndexStore.from_records(records, settings, embedder, progress)
    timings["lexical"] = time.perf_counter() - stage_started
    return store, corpus_report, extractions, read


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
    store, corpus_report, extractions, read = build
    # Leftovers of interrupted builds of this key: nobody else can be writing them while we hold the lock.
    for leftover in index_dir.parent.glob(f".tmp-{index_dir.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if index_dir.exists():
        shutil.rmtree(index_dir)  # incomplete (no marker) or unreadable: never trusted
    temporary = index_dir.parent / f".tmp-{index_dir.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    _report(progress, "save", 0, 1)
    records_json = json.dumps(
        [record.model_dump(mode="json") for record in store.records], ensure_ascii=False
    )
    (temporary / "records.json").write_text(records_json, encoding="utf-8")
    if store.lexical is not None:
        store.lexical.save(temporary / "lexical")
    manifest = {
        "key": key,
        "format": INDEX_FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "records": len(store.records),
        "corpus_report": corpus_report.model_dump(mode="json") if corpus_report else None,
        "pdfs": [extraction.model_dump(mode="json", exclude={"records"}) for extraction in extractions],
        "documents": [document.model_dump(mode="json", exclude={"records"}) for document in read],
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
        read = [DocumentExtraction.model_validate(entry) for entry in manifest["documents"]]
        for document in read:
            document.records = [r for r in records if r.doc_id == document.doc_id]
        report = manifest["corpus_report"]
        corpus_report = CorpusLoadReport.model_validate(report) if report else None
        dense_path = index_dir / "dense.npy"
        dense = np.load(dense_path) if embedder is not None and dense_path.is_file() else None
        _report(progress, "load", 1, 1)
    except (OSError, ValueError, KeyError, TypeError) as error:  # damaged: rebuild rather than fail
        logger.warning("cached index %s unreadable (%s); rebuilding", index_dir, error)
        return None
    return IndexStore(records, lexical, settings, embedder, dense), corpus_report, extractions, read


def _attach_dense(
    store: IndexStore, index_dir: Path | None, progress: ProgressCallback | None
) -> None:
    matrix = store.embed_all(progress)
    if index_dir is not None and index_dir.is_dir():
        # Written beside a complete index by rename, so readers see all of it or none of it.
        temporary = index_dir / f".dense-{os.getpid()}-{uuid.uuid4().hex[:8]}.npy"
        np.save(temporary, matrix)
        temporary.replace(index_dir / "dense.npy")


def _attach_ann(store: IndexStore, key: str, problems: list[str]) -> None:
    """Puts the store's vectors in a Chroma server collection of their own (published once per index key)
    for ANN search; a Chroma error leaves exact numpy search in place and is recorded. Without a server the
    search stays exact: Chroma's embedded client is not process-safe (see vectorfile.py)."""
    embedder = store.embedder
    if not (isinstance(embedder, CachedEmbedder) and embedder.cache.chroma_url) or store.dense_matrix is None:
        return
    try:
        client = embedder.cache.client()
        size = len(store.records)
        store.ann = ChromaDenseIndex.published(client, key, size) or ChromaDenseIndex.publish(
            client, key, store.dense_matrix, store.kinds.tolist()
        )
    except Exception as error:  # chromadb raises many error types; exact search still answers
        problems.append(f"Chroma ANN index unavailable, exact search over the vectors instead: {error}")
        logger.warning(problems[-1])


def describe(build: IndexBuild) -> dict[str, Any]:
    """A JSON-able summary of a build for run logs."""
    return {
        "cache_hit": build.cache_hit,
        "key": build.key[:24],
        "records": len(build.store.records),
        "dense": build.store.dense_strategy,
        "dense_search": "chroma-ann" if build.store.ann is not None else "numpy-exact",
        "timings": build.timings,
        "corpus": build.corpus_report.model_dump(mode="json") if build.corpus_report else None,
        "pdf_problems": [problem.model_dump(mode="json") for pdf in build.pdfs for problem in pdf.problems],
        "documents": {document.source_file: len(document.records) for document in build.documents},
        "refused": [entry.model_dump(mode="json") for entry in (build.inventory.refused
                                                                 if build.inventory else [])],
        "problems": build.problems + build.store.problems,
    }


def build_task_index(
    task_dir: Path,
    embedder: EmbedderSettings,
    cache_dir: str | Path,
    progress: ProgressCallback | None = None,
    stock: Inventory | None = None,
) -> IndexBuild:
    """The index of a task folder's collection (its first ``long_context`` file), PDFs and other documents
    (text, HTML, Office files, tables, and pictures read by OCR), cached.

    ``stock`` is the folder's inventory when the caller has it. ``problems[0]`` names the embedder chosen
    and why (``"embedder: …"``); the rest are indexing problems. Raises
    :class:`~reportgraph.tools.intake.taskio.BadInputError` for a malformed collection.
    """
    stock = stock or inventory(task_dir)
    choice = select_embedder(embedder, cache_dir=cache_dir)
    build = build_or_load(
        task_dir / stock.corpus[0] if stock.corpus else None,
        [task_dir / name for name in stock.pdf],
        cache_dir=cache_dir,
        embedder=choice.embedder,
        progress=progress,
        document_paths=[task_dir / name for name in (*stock.document, *stock.image)],
    )
    build.problems.insert(0, f"embedder: {choice.reason}")
    build.inventory = stock
    return build


def build_materials(build: IndexBuild, speech: bool = False) -> dict[str, Any]:
    """What reading the folder left out (:func:`~reportgraph.tools.intake.materials.materials_summary`):
    PDFs, the collection, documents, and the folder's files nothing read (its inventory's, when known;
    ``speech``: a speech recogniser is configured, so its audio files are analysed as talks)."""
    unread = unread_materials(build.inventory, speech) if build.inventory is not None else []
    return materials_summary(build.pdfs, build.corpus_report, unread, build.documents)
