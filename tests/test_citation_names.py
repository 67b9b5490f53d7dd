"""`check` resolves every citation the product renders, whatever the task folder's file names hold: spaces,
CJK, brackets, several dots, commas, quotes (issue 27). Names are generated, not listed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportgraph.tools.checking import resolve_citations
from reportgraph.tools.file_kinds import VIDEO_SUFFIXES
from reportgraph.tools.registry import (
    SourceRecord,
    corpus_chunk_id,
    pdf_page_id,
    render_citation,
    short_hash,
    to_registry,
    video_segment_id,
)

_CHARS = list("abcXYZ019 _-.,;:()[]【】{}#&+=!'@^~%$") + list("论文报告资料第一版页視頻") + ["é", "ß", "ー"]
_STEMS = st.text(alphabet=st.sampled_from(_CHARS), min_size=1, max_size=24).filter(
    lambda stem: stem.strip() == stem and "/" not in stem
)
_TITLES = st.text(alphabet=st.sampled_from([*_CHARS, '"', "“", "”"]), min_size=1, max_size=40).filter(
    lambda title: title.strip() == title
)


def _registry(pdf: str, video: str, collection: str, title: str) -> list[SourceRecord]:
    pages = [
        SourceRecord(
            id=pdf_page_id(short_hash(name), page),
            kind="pdf",
            segment="page",
            source_file=name,
            text=f"Page {page} of {name}.",
            page=page,
        )
        for name in (pdf, f"{pdf}.pdf", f"x{pdf}")  # look-alike names: the longest written name wins
        for page in (1, 2, 12)
    ]
    segments = [
        SourceRecord(
            id=video_segment_id(short_hash(video), start, start + 30, "subtitle"),
            kind="video",
            segment="subtitle",
            source_file=video,
            text=f"Said between {start} and {start + 30} seconds.",
            start_s=start,
            end_s=start + 30,
        )
        for start in (0.0, 30.0, 3690.0)
    ]
    doc = f"lc-{short_hash(title)}"
    chunks = [
        SourceRecord(
            id=corpus_chunk_id(doc, index),
            kind="corpus",
            segment="chunk",
            source_file=collection,
            title=title,
            text=f"Chunk {index} of the document.",
            chunk_index=index,
            doc_id=doc,
        )
        for index in (1, 2)
    ]
    return pages + segments + chunks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pdf=_STEMS.map(lambda s: f"{s}.pdf") | _STEMS.map(lambda s: f"{s}.PDF"),
    video=st.tuples(_STEMS, st.sampled_from(VIDEO_SUFFIXES)).map("".join),  # every suffix intake reads
    collection=_STEMS.map(lambda s: f"{s}.json"),
    title=_TITLES,
)
def test_every_rendered_citation_resolves_to_its_record(
    pdf: str, video: str, collection: str, title: str
) -> None:
    records = _registry(pdf, video, collection, title)
    registry = to_registry(records)
    sentences = [f"Sentence {n} states a finding {render_citation(r)}." for n, r in enumerate(records)]
    markdown = "# Report\n\n## Findings\n\n" + "\n".join(sentences) + "\n"
    rewritten, ledger = resolve_citations(markdown, registry)
    assert len(ledger.citations) == len(records), (ledger.forms(), [c.written for c in ledger.citations])
    for record, citation in zip(records, ledger.citations, strict=True):
        assert not citation.problem, (render_citation(record), citation)
        if record.kind == "video":  # a time range resolves to the segments it overlaps
            assert citation.form == "video_range"
            assert record.text in ledger.records[citation.ids[0]]["text"]
        else:
            assert citation.ids == [record.id], (render_citation(record), citation)
    assert "unresolved-" not in rewritten


@settings(max_examples=60, deadline=None)
@given(pdf=_STEMS.map(lambda s: f"{s}.pdf"))
def test_a_page_the_pdf_lacks_and_a_whole_file_still_fail_for_any_name(pdf: str) -> None:
    registry = to_registry(_registry(pdf, "v.mp4", "c.json", "t"))
    _, ledger = resolve_citations(f"One [{pdf} p.7]. Two [{pdf}].\n", registry)
    assert [c.form for c in ledger.citations] == ["pdf_page", "whole_file"]
    assert "no page 7" in ledger.citations[0].problem and "whole of" in ledger.citations[1].problem



@pytest.mark.parametrize("suffix", VIDEO_SUFFIXES)
def test_check_reads_every_video_intake_reads_as_a_video(suffix: str) -> None:
    # One list of video suffixes (tools/file_kinds.py): a range of a video of the folder, a whole video and a
    # range of a video the folder lacks are each read as a video's, whatever suffix intake took it by.
    registry = to_registry(_registry("p.pdf", f"talk{suffix}", "c.json", "t"))
    report = f"One [talk{suffix} 00:10–00:20]. Two [talk{suffix}]. Three [gone{suffix} 0:10-0:20].\n"
    _, ledger = resolve_citations(report, registry)
    assert [c.form for c in ledger.citations] == ["video_range", "whole_file", "video_range"]
    first, whole, gone = ledger.citations
    assert not first.problem and first.ids
    assert whole.problem.endswith("give a time range")
    assert gone.problem == f"no analysed video named gone{suffix} in the task folder"
