"""The citable ids of a small test collection, computed by the project's own loader and chunker."""

from __future__ import annotations

from pathlib import Path

from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_document
from reportgraph.tools.intake.corpus import load_corpus


def chunk_ids_by_title(corpus: Path) -> dict[str, str]:
    """Title → chunk id, for collections whose documents are each one chunk (so scripts can cite them)."""
    documents = load_corpus(corpus).documents
    chunks = [
        record
        for document in documents
        for record in chunk_document(document, ChunkingSettings(), corpus.name)
    ]
    assert len(chunks) == len(documents), "each test document must be one chunk"
    return {record.title: record.id for record in chunks}
