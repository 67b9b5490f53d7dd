"""Pictures and stand-alone audio files of a task folder are never passed over in silence (issue 27): a
picture's text is read by the bundled OCR and cited like a document (``check`` resolves it, the MCP search
finds it); a picture without text, with text the OCR gate refuses, or in a format OpenCV cannot decode, and an
audio file nothing can transcribe, are named in the report and in ``materials_read``. All offline."""

from __future__ import annotations

import asyncio
import json
import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from reportgraph.graph.cli import main
from reportgraph.graph.mcp_server import build_server
from reportgraph.nodes.context import env
from reportgraph.prompts.materials import FILE_REASONS, material_disclosures
from reportgraph.tools.checking.citation_forms import resolve_citations
from reportgraph.tools.confine import Roots
from reportgraph.tools.intake import inventory, materials_summary, read_document, talks, unread_materials
from reportgraph.tools.registry import to_registry
from reportgraph.tools.video import analyse_video

TASK = ("Write a 100-300 word briefing in English on the lake district from the files in this folder. Cite "
        "your sources. Sections: Water, Travel.\n")
NOTES = ("The lake district lies north of the ridge. Its villages depend on the ferry and on summer "
         "visitors. Fishing boats leave the harbour before dawn.\n")
LINES = ["Glacier melt raised the lake by 3 metres", "The ferry to Lofoten runs twice daily"]
INTERVIEW = "1\n00:00:00,500 --> 00:00:03,500\nThe harbour master says the ferry is often late.\n"
# Words run together: the OCR reads them, but the quality gate of scanned pages refuses them.
GLUED = ["Lakeshorepathwaysremainedclosedthroughout", "theentirewinterbecauseofrepeatedlandslides"]


def draw_text(path: Path, lines: list[str]) -> None:
    picture = np.full((60 + 70 * len(lines), 1100, 3), 255, np.uint8)
    for row, line in enumerate(lines):
        cv2.putText(picture, line, (20, 70 + 70 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2)
    assert cv2.imwrite(str(path), picture)


def draw_photo(path: Path) -> None:
    """Blurred colour noise: a picture with shapes and shades but no writing."""
    noise = np.random.default_rng(7).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    assert cv2.imwrite(str(path), cv2.GaussianBlur(noise, (31, 31), 0))


def write_tone(path: Path, seconds: float = 4.0, rate: int = 16_000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 330 * i / rate)))
                                 for i in range(int(seconds * rate))))


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No speech recogniser and no embedder from the environment (the settings are read once, cached)."""
    monkeypatch.setenv("REPORTGRAPH_EMBEDDER", "none")
    monkeypatch.delenv("REPORTGRAPH_SPEECH_MODEL", raising=False)
    env.cache_clear()
    yield
    monkeypatch.undo()
    env.cache_clear()


def lake_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "notes.txt").write_text(NOTES, encoding="utf-8")
    draw_text(folder / "lake board.png", LINES)
    return folder


def test_a_picture_with_text_is_a_document_and_check_resolves_its_citation(tmp_path: Path) -> None:
    folder = lake_folder(tmp_path / "lake")
    picture = read_document(folder / "lake board.png")
    assert not picture.problems
    text = " ".join(record.text for record in picture.records)
    summary = materials_summary([], None, (), [picture])
    assert summary["unread_files"] == [] and summary["documents"][0]["ocr"]
    for language in ("en", "zh"):
        [note] = material_disclosures(summary, language)
        assert "lake board.png" in note and "OCR" in note
    assert "ferry to Lofoten" in text and "3 metres" in text, text
    report = tmp_path / "report.md"
    report.write_text("# Lake briefing\n\n## Water\n\nGlacier melt raised the lake by 3 metres "
                      "[lake board.png chunk 1].\n\n## Travel\n\nThe ferry to Lofoten runs twice daily "
                      "[lake board.png chunk 1]. A ferry to the moon [lake board.png chunk 9].\n",
                      encoding="utf-8")
    assert main(["check", str(folder), str(report), "-o", str(tmp_path / "check"), "--embedder", "none"]) == 1
    checks = json.loads((tmp_path / "check" / "validation.json").read_text(encoding="utf-8"))["checks"]
    resolve = next(check for check in checks if check["name"] == "citations_resolve")
    assert resolve["figure"]["citations"] == 3
    # The chunk the picture has resolves; the one it does not have is named.
    assert [item["citation"] for item in resolve["figure"]["unresolved"]] == ["lake board.png chunk 9"]
    assert next(check for check in checks if check["name"] == "materials_read")["passed"]


@pytest.mark.parametrize(("name", "make", "code"), [
    ("shore.jpg", draw_photo, "image_no_text"),
    ("path sign.png", lambda path: draw_text(path, GLUED), "image_text_unreadable"),
    ("map.svg", lambda path: path.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>Ridge</text>'
                                             "</svg>", encoding="utf-8"), "image_not_decoded"),
    ("photo.heic", lambda path: path.write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(64)),
     "image_not_decoded"),
])
def test_pictures_without_citable_text_are_named_with_why(tmp_path: Path, name: str, make: Any,
                                                          code: str) -> None:
    make(tmp_path / name)
    picture = read_document(tmp_path / name)
    assert picture.records == [] and picture.unreadable is not None and picture.unreadable.code == code
    summary = materials_summary([], None, (), [picture])
    assert [(item["file"], item["code"]) for item in summary["unread_files"]] == [(name, code)]
    for language in ("en", "zh"):
        [line] = material_disclosures(summary, language)
        assert name in line and FILE_REASONS[language][code] in line


def test_audio_is_a_talk_only_when_something_can_hear_it(tmp_path: Path) -> None:
    (tmp_path / "task.md").write_text(TASK, encoding="utf-8")
    write_tone(tmp_path / "harbour.wav")
    write_tone(tmp_path / "interview.wav")
    (tmp_path / "interview.srt").write_text(INTERVIEW, encoding="utf-8")
    stock = inventory(tmp_path)
    assert talks(stock, speech=False) == ["interview.wav"]  # its own subtitles are read
    assert unread_materials(stock, speech=False) == [{"file": "harbour.wav", "code": "audio_not_transcribed"}]
    assert sorted(talks(stock, speech=True)) == ["harbour.wav", "interview.wav"]
    assert unread_materials(stock, speech=True) == []


def test_a_heard_audio_file_is_cited_by_time_range(tmp_path: Path) -> None:
    write_tone(tmp_path / "interview.wav")
    (tmp_path / "interview.srt").write_text(INTERVIEW, encoding="utf-8")
    heard = analyse_video(tmp_path / "interview.wav", language="en")
    assert heard.status == "ok", heard.problems
    _, ledger = resolve_citations("Late ferries [interview.wav 00:01–00:03]. All of it [interview.wav].",
                                  to_registry(heard.records))
    ranged, whole = ledger.citations
    assert ranged.problem == "" and ranged.ids
    assert "time range" in whole.problem


@pytest.mark.usefixtures("offline")
def test_a_run_discloses_the_unread_picture_and_audio(tmp_path: Path,
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    folder = lake_folder(tmp_path / "lake")
    draw_photo(folder / "shore.jpg")
    write_tone(folder / "harbour.wav")
    write_tone(folder / "interview.wav")  # heard through its own subtitles, offline
    (folder / "interview.srt").write_text(INTERVIEW, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(folder), "-o", str(out), "--embedder", "none", "--llm", "off"]) == 1
    capfd.readouterr()
    report = (out / "report.md").read_text(encoding="utf-8")
    for name, code in (("shore.jpg", "image_no_text"), ("harbour.wav", "audio_not_transcribed")):
        assert any(name in line and FILE_REASONS["en"][code] in line for line in report.splitlines()), name
    # The picture with text is read, and its quotes are flagged as OCR's, as OCRed PDF pages are.
    [read_note] = [line for line in report.splitlines() if "lake board.png" in line]
    assert "OCR" in read_note and "could not be read" not in read_note
    checks = json.loads((out / "validation.json").read_text(encoding="utf-8"))["checks"]
    read = next(check for check in checks if check["name"] == "materials_read")
    assert not read["passed"]
    assert read["figure"]["unreadable_files"] == {"shore.jpg": "image_no_text",
                                                   "harbour.wav": "audio_not_transcribed"}
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["retrieval"]["documents"]["lake board.png"] >= 1
    # The audio file with subtitles is analysed as a talk; the one nothing hears is not a failed talk.
    assert [a["file_name"] for a in run["video"]["analyses"]] == ["interview.wav"]
    assert run["video"]["status"] == "ok"


@pytest.mark.usefixtures("offline")
def test_mcp_search_corpus_finds_documents_and_pictures(tmp_path: Path) -> None:
    root = tmp_path / "served"
    folder = lake_folder(root / "lake")
    server = build_server(roots=Roots.of([root]))

    def search(task_dir: Path, query: str) -> dict[str, Any]:
        _content, answer = asyncio.run(server.call_tool("search_corpus", {"task_dir": str(task_dir),
                                                                          "query": query, "k": 3}))
        return dict(answer)  # type: ignore[arg-type]

    found = search(folder, "ferry Lofoten")
    assert found["hits"][0]["citation"] == "[lake board.png chunk 1]", found["hits"]
    assert "Lofoten" in found["hits"][0]["text"]
    assert any(hit["source_file"] == "notes.txt" for hit in search(folder, "fishing boats harbour")["hits"])
    outside = lake_folder(tmp_path / "elsewhere")
    with pytest.raises(Exception, match="outside"):
        search(outside, "ferry")


def test_a_damaged_recording_is_called_a_recording_not_a_video(tmp_path: Path) -> None:
    (tmp_path / "memo.wav").write_bytes(b"")
    (tmp_path / "talk.mp4").write_bytes(b"")
    memo, talk = analyse_video(tmp_path / "memo.wav"), analyse_video(tmp_path / "talk.mp4")
    assert memo.status == talk.status == "failed"
    assert memo.disclosure["zh"].startswith("录音 memo.wav 中未能分析的内容")
    assert memo.disclosure["en"] == memo.disclosure["en"].replace("video", "")
    assert talk.disclosure["zh"].startswith("视频 talk.mp4 中未能分析的内容")
