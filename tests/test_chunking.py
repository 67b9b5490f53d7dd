"""Chunking: sentence-aligned, bounded, overlapping, stable ids, fast."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_document, chunk_text, split_units
from reportgraph.tools.intake.corpus import CorpusDocument
from reportgraph.tools.registry import corpus_doc_id

SETTINGS = ChunkingSettings(max_chars=200, overlap_chars=40, min_tail_chars=40)
ZH_SENTENCES = [f"第{i}句说明长文本摘要的忠实度评估需要细粒度的人工标注与一致性检验。" for i in range(40)]
EN_SENTENCES = [
    f"Sentence {i} explains that fine-grained units keep annotation reliable. " for i in range(40)
]


def document(content: str, title: str = "标题") -> CorpusDocument:
    return CorpusDocument(corpus_doc_id(title, "", content), title, "", content, 0)


def test_short_text_is_one_chunk_and_empty_text_none() -> None:
    assert chunk_text("一句话。", SETTINGS) == ["一句话。"]
    assert chunk_text(" \n\t ", SETTINGS) == []


@pytest.mark.parametrize("sentences", [ZH_SENTENCES, EN_SENTENCES], ids=["zh", "en"])
def test_chunks_are_bounded_sentence_aligned_and_overlap(sentences: list[str]) -> None:
    text = "".join(sentences)
    chunks = chunk_text(text, SETTINGS)
    assert len(chunks) > 5
    assert all(len(chunk) <= SETTINGS.max_chars * 1.3 for chunk in chunks)
    for chunk in chunks:  # every chunk starts and ends on a sentence boundary
        assert chunk.rstrip().endswith(("。", ".")), chunk
        assert chunk.startswith(("第", "Sentence")), chunk
    for previous, following in itertools.pairwise(chunks):
        first_sentence = re.split(r"(?<=[。.])\s*", following)[0]
        assert first_sentence in previous, "the next chunk repeats the previous chunk's last sentence"
    for sentence in sentences:  # nothing is lost
        assert any(sentence.strip() in chunk for chunk in chunks)


def test_text_without_punctuation_is_cut_at_spaces() -> None:
    words = " ".join(f"word{i}" for i in range(300))
    chunks = chunk_text(words, SETTINGS)
    assert all(len(chunk) <= SETTINGS.max_chars for chunk in chunks)
    assert all(re.fullmatch(r"(word\d+ ?)+", chunk) for chunk in chunks)
    assert {token for chunk in chunks for token in chunk.split()} == set(words.split())


def test_units_never_exceed_their_limit() -> None:
    units = split_units("无标点的长句" * 100 + "。短句。", 100, 50)
    assert max(len(unit) for unit in units) <= 50 and "短句。" in units
    assert "".join(units) == "无标点的长句" * 100 + "。短句。"


def test_records_have_stable_ids_indices_and_language() -> None:
    doc = document("".join(ZH_SENTENCES) + "\n\n" + "".join(EN_SENTENCES))
    first = chunk_document(doc, SETTINGS, "long_context.json")
    second = chunk_document(doc, SETTINGS, "long_context.json")
    assert [r.id for r in first] == [r.id for r in second]
    assert [r.chunk_index for r in first] == list(range(1, len(first) + 1))
    assert first[0].id == f"{doc.doc_id}-1" and first[0].doc_id == doc.doc_id
    assert {r.kind for r in first} == {"corpus"} and {r.segment for r in first} == {"chunk"}
    assert first[0].lang == "zh" and first[-1].lang == "en"
    assert first[0].source_file == "long_context.json" and first[0].title == "标题"


def test_settings_are_validated_and_keyed() -> None:
    with pytest.raises(ValueError):
        ChunkingSettings(max_chars=100, overlap_chars=80)
    assert ChunkingSettings().key() != ChunkingSettings(max_chars=400).key()


def test_twelve_thousand_documents_chunk_quickly() -> None:
    docs = [
        document("".join(ZH_SENTENCES[i % 7 : i % 7 + 12]) + "".join(EN_SENTENCES[:4]), f"t{i}")
        for i in range(12_000)
    ]
    started = time.perf_counter()
    records = [record for doc in docs for record in chunk_document(doc, ChunkingSettings(), "c.json")]
    elapsed = time.perf_counter() - started
    assert len(records) >= 12_000
    assert elapsed < 30, f"chunking 12,000 documents took {elapsed:.1f} s"
