"""Split documents into overlapping, sentence-aligned chunks with stable ids.

Sentences come from the project's one segmenter (:func:`reportgraph.tools.text.sentence_pieces`: line
breaks, 。！？, and Western full stops as pysbd disambiguates them). Sentences are packed greedily up to
``max_chars``; the next chunk starts with the last sentences of the previous one (up to
``overlap_chars``, or the one last sentence when it is shorter than twice that) so a fact that spans a
boundary is still whole in one chunk. Text without punctuation is cut at white space or commas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reportgraph.tools.intake.corpus import CorpusDocument
from reportgraph.tools.registry import SourceRecord, corpus_chunk_id
from reportgraph.tools.text import detect_language, sentence_pieces

_SOFT_BREAK = re.compile(r"[\s，,、：:]")
_SPACES = re.compile(r"[ \t\u3000\xa0]{2,}|[\t\u3000\xa0]")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
_LANGUAGE_SAMPLE = 200  # characters enough to tell zh from en; counting whole chunks was the main cost


@dataclass(frozen=True)
class ChunkingSettings:
    """How text is cut. Part of every index cache key."""

    max_chars: int = 500
    overlap_chars: int = 80
    min_tail_chars: int = 120  # a shorter last piece joins the previous chunk (up to 1.3 × max_chars)
    # A PDF page is cut into passages of whole paragraphs up to this size: a fact with its figures often
    # takes two short paragraphs (a data set's two halves, a setup and its numbers), which 500-character
    # chunks cut apart (4 of the fixture rubric's 20 paper points spanned two chunks).
    passage_chars: int = 1500

    def __post_init__(self) -> None:
        if self.max_chars < 50 or not 0 <= self.overlap_chars < self.max_chars // 2:
            raise ValueError(f"unusable chunking settings: {self}")

    def key(self) -> str:
        return f"chunk-v2-{self.max_chars}-{self.overlap_chars}-{self.min_tail_chars}-{self.passage_chars}"


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()


def split_units(text: str, max_sentence: int, piece: int) -> list[str]:
    """Sentences of ``text``; one over ``max_sentence`` is cut softly into pieces of ``piece`` at most."""
    units: list[str] = []
    for sentence in sentence_pieces(text):
        if len(sentence) <= max_sentence:
            if sentence:
                units.append(sentence)
            continue
        start = 0
        while len(sentence) - start > piece:
            end = start + piece
            # Prefer a soft break in the last third of the window over cutting a word in two.
            soft = [m.end() for m in _SOFT_BREAK.finditer(sentence, start + piece * 2 // 3, end)]
            end = soft[-1] if soft else end
            units.append(sentence[start:end])
            start = end
        units.append(sentence[start:])
    return units


def chunk_text(text: str, settings: ChunkingSettings) -> list[str]:
    """Overlapping chunks of at most about ``settings.max_chars`` characters."""
    text = clean_text(text)
    if not text:
        return []
    if len(text) <= settings.max_chars:
        return [text]
    # Over-long sentences are cut into pieces small enough to be carried as overlap too.
    units = split_units(text, settings.max_chars, max(settings.overlap_chars, settings.max_chars // 4))
    chunks: list[str] = []
    window: list[str] = []
    size = 0
    fresh_from = 0  # window[fresh_from:] is text not yet in any emitted chunk
    for unit in units:
        if size + len(unit) > settings.max_chars and fresh_from < len(window):
            chunks.append("".join(window).strip())
            window, size = _overlap_tail(window, settings.overlap_chars)
            fresh_from = len(window)
        if size + len(unit) > settings.max_chars:  # the carried overlap alone leaves no room
            window, size, fresh_from = [], 0, 0
        window.append(unit)
        size += len(unit)
    fresh = "".join(window[fresh_from:])
    if fresh.strip():
        if (
            chunks
            and len(fresh) < settings.min_tail_chars
            and (len(chunks[-1]) + len(fresh) <= settings.max_chars * 1.3)
        ):
            chunks[-1] = (chunks[-1] + fresh).strip()
        else:
            chunks.append("".join(window).strip())
    return [chunk for chunk in chunks if chunk]


def chunk_passages(text: str, settings: ChunkingSettings) -> list[str]:
    """A page's paragraphs (one a line, as pdf.py's page text has them) packed into passages of at most
    ``settings.passage_chars``; a passage starts with the previous one's last paragraph when that fits
    (at most half a passage), so two neighbouring paragraphs always share one passage. A paragraph longer
    than a passage is cut by :func:`chunk_text` at that size."""
    limit = settings.passage_chars
    units: list[str] = []
    for paragraph in clean_text(text).split("\n"):
        if len(paragraph.strip()) > limit:
            units += chunk_text(paragraph, replace(settings, max_chars=limit))
        elif paragraph.strip():
            units.append(paragraph.strip())
    passages: list[str] = []
    window: list[str] = []
    for unit in units:
        if window and len("\n".join([*window, unit])) > limit:
            passages.append("\n".join(window))
            carried = window[-1]
            window = [carried] if len(carried) <= limit // 2 and len(carried) + len(unit) < limit else []
        window.append(unit)
    if window:
        passages.append("\n".join(window))
    return passages


def _overlap_tail(window: list[str], budget: int) -> tuple[list[str], int]:
    """The last whole sentences within ``budget``; a lone last sentence may take up to twice that.

    (English sentences are often longer than the budget; without the allowance they would never overlap.)
    """
    tail: list[str] = []
    size = 0
    for unit in reversed(window):
        if size + len(unit) > (budget if tail else 2 * budget):
            break
        tail.append(unit)
        size += len(unit)
    tail.reverse()
    return tail, size


def chunk_document(
    document: CorpusDocument, settings: ChunkingSettings, source_file: str
) -> list[SourceRecord]:
    """The document's chunks as citable records (``chunk_index`` from 1)."""
    return [
        SourceRecord(
            id=corpus_chunk_id(document.doc_id, index),
            kind="corpus",
            segment="chunk",
            source_file=source_file,
            title=document.title,
            url=document.url,
            text=chunk,
            lang=detect_language(chunk[:_LANGUAGE_SAMPLE]),
            chunk_index=index,
            doc_id=document.doc_id,
        )
        for index, chunk in enumerate(chunk_text(document.content, settings), start=1)
    ]
