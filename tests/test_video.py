"""Video evidence: real files from ../shared, plus small videos, audio and servers made by the tests."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from media_files import slide_video, tone_only
from reportgraph.tools.registry import render_citation
from reportgraph.tools.video import (
    McpVideoTool,
    ModelEndpoint,
    VideoAnalysis,
    analyse_video,
    parse_external_segments,
)
from reportgraph.tools.video import probe as video_probe
from reportgraph.tools.video.subtitles import (
    Cue,
    SubtitleTrack,
    choose_track,
    find_sidecars,
    merge_cues,
    parse_ass,
    parse_srt_or_vtt,
    read_sidecar,
)

UNREACHED_BUDGET_S = 1e6  # no machine reaches it: only the tests of the budget pass their own
analyse = partial(analyse_video, time_budget_s=UNREACHED_BUDGET_S)
SLIDE_WORDS = ["ALPHA 123", "DELTA 456", "ALPHA 123"]  # the third slide repeats the first
SLIDE_SECONDS = 2.0
FPS = 10

SIDECAR_SRT = """1
00:00:00,200 --> 00:00:01,500
Welcome to the <i>alpha</i> slide.

2
00:00:02,300 --> 00:00:03,600
Delta is the second one.

3
00:00:04,200 --> 00:00:05,700
And alpha comes back at the end.
"""


# --- fixtures: media made on the fly -----------------------------------------------------------------






@pytest.fixture(scope="module")
def slide_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slides")
    slide_video(folder / "talk.mp4", SLIDE_WORDS, fps=FPS, seconds_per_slide=SLIDE_SECONDS)
    (folder / "talk.srt").write_text(SIDECAR_SRT, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def slide_analysis(slide_folder: Path) -> VideoAnalysis:
    return analyse(slide_folder / "talk.mp4", language="en")


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers /audio/transcriptions (verbose_json) and /chat/completions like an OpenAI server."""

    requests: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakeOpenAI.requests.append((self.path, body))
        if self.path.endswith("/audio/transcriptions"):
            segment = {"id": 0, "seek": 0, "start": 0.5, "end": 2.5, "text": " A steady tone is heard.",
                       "tokens": [], "temperature": 0.0, "avg_logprob": 0.0, "compression_ratio": 1.0,
                       "no_speech_prob": 0.0}  # fmt: skip
            answer: dict[str, Any] = {"text": "A steady tone is heard.", "language": "english",
                                      "duration": 3.0, "segments": [segment]}  # fmt: skip
        else:
            message = {"role": "assistant", "content": "A white slide with the words ALPHA 123."}
            answer = {"id": "c1", "object": "chat.completion", "created": 0, "model": "vision",
                      "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}  # fmt: skip
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


MCP_SERVER = '''
import json
from mcp.server.fastmcp import FastMCP

app = FastMCP("video")

@app.tool()
def describe_video(path: str) -> str:
    """Describe a video file."""
    return json.dumps([{"start_s": 0.0, "end_s": 2.0, "text": "A white slide reading ALPHA 123."},
                       {"start_s": 2.0, "end_s": 4.0, "text": "A white slide reading DELTA 456."}])

if __name__ == "__main__":
    app.run()
'''


# --- self-made fixtures ----------------------------------------------------------------------------------


def test_slides_found_and_read_on_a_generated_video(slide_analysis: VideoAnalysis) -> None:
    slides = [r for r in slide_analysis.records if r.segment == "slide"]
    assert [(r.start_s, r.end_s) for r in slides] == [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)]
    assert "ALPHA" in slides[0].text and "DELTA" in slides[1].text
    assert slides[2].text == slides[0].text  # the repeated slide, OCR'd once
    assert "3 scenes, 2 distinct pictures" in (slide_analysis.step("slides") or pytest.fail()).detail
    assert render_citation(slides[1]) == "[talk.mp4 00:02–00:04]"
    assert all(r.kind == "video" and r.source_file == "talk.mp4" for r in slide_analysis.records)


def test_sidecar_subtitles_become_segments_split_at_slide_changes(slide_analysis: VideoAnalysis) -> None:
    subtitles = [r for r in slide_analysis.records if r.segment == "subtitle"]
    assert [(r.start_s, r.end_s) for r in subtitles] == [(0.2, 1.5), (2.3, 3.6), (4.2, 5.7)]
    assert subtitles[0].text == "Welcome to the alpha slide."
    assert slide_analysis.chosen_streams[0].source.startswith("talk.srt")
    assert slide_analysis.status == "ok" and not slide_analysis.problems
    assert slide_analysis.disclosure == {"zh": "", "en": ""}


def test_tiny_time_budget_samples_and_says_so(slide_folder: Path) -> None:
    analysis = analyse(slide_folder / "talk.mp4", time_budget_s=0.0)
    assert analysis.status in ("partial", "failed")
    assert any("time budget" in problem for problem in analysis.problems)
    assert "time budget" in analysis.disclosure["en"] or "时间预算" in analysis.disclosure["zh"]


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    analysis = analyse(tmp_path / "empty.mp4")
    assert analysis.status == "failed"
    assert "the file is empty (0 bytes)" in analysis.problems[0]
    assert analysis.disclosure["zh"].startswith("视频 empty.mp4 中未能分析的内容：整个文件")


def test_text_file_named_mp4(tmp_path: Path) -> None:
    (tmp_path / "notes.mp4").write_text("these are meeting notes, not a video\n", encoding="utf-8")
    analysis = analyse(tmp_path / "notes.mp4")
    assert analysis.status == "failed" and not analysis.records
    assert "not a video: the file contains plain text" in analysis.problems[0]
    assert (analysis.step("probe") or pytest.fail()).status == "failed"


def test_missing_file_still_reads_its_sidecar_subtitles(tmp_path: Path) -> None:
    (tmp_path / "gone.srt").write_text(SIDECAR_SRT, encoding="utf-8")
    analysis = analyse(tmp_path / "gone.mp4")
    assert analysis.status == "partial"
    assert "the file does not exist" in analysis.problems[0]
    # Without slide changes to split at, the three short cues make one segment.
    assert [(r.segment, r.start_s, r.end_s) for r in analysis.records] == [("subtitle", 0.2, 5.7)]


def test_audio_only_without_and_with_transcription(tmp_path: Path, fake_openai: str) -> None:
    tone_only(tmp_path / "tone.mp4")
    plain = analyse(tmp_path / "tone.mp4")
    assert plain.status == "failed"  # nothing to cite but the metadata
    assert any(problem.startswith("no video stream") for problem in plain.problems)
    assert any(problem.startswith("speech not transcribed") for problem in plain.problems)
    assert [r.segment for r in plain.records] == ["metadata"]

    endpoint = ModelEndpoint(model="whisper-1", base_url=fake_openai, api_key="test")
    transcribed = analyse(tmp_path / "tone.mp4", transcriber=endpoint)
    transcripts = [r for r in transcribed.records if r.segment == "transcript"]
    assert [(r.start_s, r.end_s, r.text) for r in transcripts] == [(0.5, 2.5, "A steady tone is heard.")]
    assert transcribed.status == "partial"  # still no pictures
    upload = next(body for path, body in FakeOpenAI.requests if path.endswith("/audio/transcriptions"))
    assert b"RIFF" in upload and b"verbose_json" in upload


def test_an_audio_file_is_heard_as_a_talk_without_missing_pictures(tmp_path: Path, fake_openai: str) -> None:
    """A sound recording (an .m4a: taskio's audio kind) has no pictures to miss: transcribed, it is fully
    analysed; untranscribed, only its speech is named as not analysed."""
    tone_only(tmp_path / "tone.m4a")
    plain = analyse(tmp_path / "tone.m4a")
    assert [problem.split(":")[0] for problem in plain.problems] == ["speech not transcribed"]
    endpoint = ModelEndpoint(model="whisper-1", base_url=fake_openai, api_key="test")
    heard = analyse(tmp_path / "tone.m4a", transcriber=endpoint)
    assert heard.status == "ok" and not heard.problems
    assert [r.text for r in heard.records if r.segment == "transcript"] == ["A steady tone is heard."]


def test_unreachable_transcriber_is_recorded(tmp_path: Path) -> None:
    tone_only(tmp_path / "tone.mp4")
    endpoint = ModelEndpoint(model="whisper-1", base_url="http://127.0.0.1:9/v1", api_key="x", timeout_s=2)
    analysis = analyse(tmp_path / "tone.mp4", transcriber=endpoint)
    assert (analysis.step("speech") or pytest.fail()).status == "failed"
    assert any("speech not transcribed: whisper-1" in problem for problem in analysis.problems)
    assert "转写失败" in analysis.disclosure["zh"]


def test_captions_from_a_vision_endpoint(slide_folder: Path, fake_openai: str) -> None:
    captioner = ModelEndpoint(model="vision", base_url=fake_openai, api_key="test")
    analysis = analyse(slide_folder / "talk.mp4", captioner=captioner)
    captions = [r for r in analysis.records if r.segment == "caption"]
    assert [(r.start_s, r.end_s) for r in captions] == [(0.0, 2.0), (2.0, 4.0)]  # one per distinct picture
    assert captions[0].text == "A white slide with the words ALPHA 123."
    chat = next(body for path, body in FakeOpenAI.requests if path.endswith("/chat/completions"))
    assert b"data:image/jpeg;base64," in chat


def test_external_mcp_tool(slide_folder: Path, tmp_path: Path) -> None:
    server = tmp_path / "video_server.py"
    server.write_text(MCP_SERVER, encoding="utf-8")
    tool = McpVideoTool(
        connection={"transport": "stdio", "command": sys.executable, "args": [str(server)]},
        tool="describe_video",
    )
    analysis = analyse(slide_folder / "talk.mp4", mcp=tool)
    external = [r for r in analysis.records if r.segment == "external"]
    assert [(r.start_s, r.end_s) for r in external] == [(0.0, 2.0), (2.0, 4.0)]
    assert "DELTA 456" in external[1].text
    assert (analysis.step("external") or pytest.fail()).status == "ok"


def test_failing_mcp_server_is_retried_then_skipped(slide_folder: Path) -> None:
    tool = McpVideoTool(
        connection={"transport": "stdio", "command": sys.executable, "args": ["-c", "raise SystemExit(3)"]},
        tool="describe_video",
        attempts=3,
        backoff_s=0.01,
    )
    analysis = analyse(slide_folder / "talk.mp4", mcp=tool)
    step = analysis.step("external") or pytest.fail()
    assert step.status == "failed"
    assert any("unreachable after 3 attempts" in problem for problem in analysis.problems)
    assert any(r.segment == "slide" for r in analysis.records)  # the rest of the analysis stands
    assert analysis.status == "partial"


def test_undecodable_video_codec_is_reported(slide_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video_probe, "has_decoder", lambda codec: codec != "h264")
    analysis = analyse(slide_folder / "talk.mp4")
    assert (analysis.step("slides") or pytest.fail()).status == "failed"
    assert "video stream #0 uses codec 'h264', which cannot be decoded" in analysis.problems
    assert [r.segment for r in analysis.records] == ["subtitle", "metadata"]  # the sidecar still counts
    assert analysis.status == "partial" and "h264" in analysis.disclosure["en"]


def test_broken_progress_callback_does_not_stop_the_analysis(tmp_path: Path) -> None:
    def explode(step: str, message: str) -> None:
        raise RuntimeError("display gone")

    (tmp_path / "empty.mp4").write_bytes(b"")
    assert analyse(tmp_path / "empty.mp4", progress=explode).status == "failed"


# --- subtitle parsing and choice ------------------------------------------------------------------------


def test_parse_srt_vtt_and_ass() -> None:
    srt = parse_srt_or_vtt(SIDECAR_SRT)
    assert srt[0] == Cue(start_s=0.2, end_s=1.5, text="Welcome to the alpha slide.")
    vtt = parse_srt_or_vtt(
        "WEBVTT\n\nNOTE hi\n\n00:01.000 --> 00:02.500 align:start\n<v Bob>Hi &amp; bye</v>\n"
    )
    assert vtt == [Cue(start_s=1.0, end_s=2.5, text="Hi & bye")]
    ass = parse_ass(
        "[Script Info]\nTitle: x\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, "
        "MarginV, Effect, Text\nDialogue: 0,0:00:01.50,0:00:03.00,Default,,0,0,0,,{\\i1}第一行\\N第二行, 好\n"
    )
    assert ass == [Cue(start_s=1.5, end_s=3.0, text="第一行第二行, 好")]


def test_gbk_sidecar_and_language_from_its_name(tmp_path: Path) -> None:
    srt = "1\n00:00:01,000 --> 00:00:03,000\n大家好，欢迎收听本次报告，今天我们讨论长文本摘要的人工评估。\n"
    (tmp_path / "talk.zh.srt").write_bytes(srt.encode("gbk"))
    (tmp_path / "talk.mp4").write_bytes(b"")
    (tmp_path / "other.mp4").write_bytes(b"")
    (tmp_path / "other.srt").write_text(SIDECAR_SRT, encoding="utf-8")
    assert find_sidecars(tmp_path / "talk.mp4") == [tmp_path / "talk.zh.srt"]
    assert find_sidecars(tmp_path / "talk.mp4", tmp_path) == [tmp_path / "talk.zh.srt"]  # not other's
    track = read_sidecar(tmp_path / "talk.zh.srt", "talk")
    assert track.language == "zh" and track.cues[0].text.startswith("大家好，欢迎收听")


def test_choose_track_prefers_report_language_then_coverage() -> None:
    hello = [Cue(start_s=0, end_s=60, text="Hello.")]
    english = SubtitleTrack(source="stream #2", origin="embedded", stream_index=2, codec="mov_text",
                            language="en", default=True, cues=hello)  # fmt: skip
    chinese = SubtitleTrack(source="talk.zh.srt", origin="sidecar", codec="srt", language="zh",
                            cues=[Cue(start_s=0, end_s=30, text="你好。")])  # fmt: skip
    best, choice = choose_track([english, chinese], "zh") or pytest.fail()
    assert best is chinese and "report language (zh)" in choice.reason
    best, choice = choose_track([english, chinese], "en") or pytest.fail()
    assert best is english


def test_merge_cues_keeps_sentences_and_slide_breaks() -> None:
    cues = [Cue(start_s=i * 4.0, end_s=i * 4.0 + 3.5, text=text) for i, text in
            enumerate(["One two.", "Three", "four.", "Five six.", "Seven."])]  # fmt: skip
    merged = merge_cues(cues, max_span_s=10.0)
    assert [m.text for m in merged] == ["One two.", "Three four.", "Five six. Seven."]
    assert all(m.end_s - m.start_s <= 10.0 for m in merged)
    split = merge_cues(cues, max_span_s=30.0, breaks=[8.0])
    assert [m.text for m in split] == ["One two. Three", "four. Five six. Seven."]


def test_external_answers_in_several_shapes() -> None:
    assert parse_external_segments("Just prose.", 10.0) == [Cue(start_s=0.0, end_s=10.0, text="Just prose.")]
    nested = json.dumps({"segments": [{"start": 1, "end": 2, "description": "A chart."}]})
    assert parse_external_segments(nested, 10.0) == [Cue(start_s=1.0, end_s=2.0, text="A chart.")]


# --- the real files in ../shared ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def talk(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "longeval_zh" / "video.mp4"


@pytest.fixture(scope="module")
def talk_analysis(talk: Path) -> VideoAnalysis:
    return analyse(talk, language="zh")


@pytest.mark.shared
def test_talk_slides_found_and_chinese_slide_read(talk_analysis: VideoAnalysis, shared_dir: Path) -> None:
    truth = json.loads((shared_dir / "media" / "talk_ground_truth.json").read_text(encoding="utf-8"))
    slides = [r for r in talk_analysis.records if r.segment == "slide"]
    starts = [r.start_s or 0.0 for r in slides]
    for slide in truth["slides"]:
        assert min(abs(start - slide["start_s"]) for start in starts) <= 1.0, slide["title"]
    chinese = [r for r in slides if r.lang == "zh"]
    assert len(chinese) == 1 and "要点总结" in chinese[0].text and "细粒度" in chinese[0].text
    assert talk_analysis.status == "ok" and talk_analysis.disclosure["zh"] == ""


@pytest.mark.shared
def test_talk_subtitles_are_timed_segments(talk_analysis: VideoAnalysis) -> None:
    subtitles = [r for r in talk_analysis.records if r.segment == "subtitle"]
    assert 6 <= len(subtitles) <= 22
    for record in subtitles:
        assert record.start_s is not None and record.end_s is not None
        assert 0 <= record.start_s < record.end_s <= 101.08 and record.end_s - record.start_s <= 15.0
    assert any("73% of them never asked humans" in r.text for r in subtitles)
    metadata = [r for r in talk_analysis.records if r.segment == "metadata"]
    assert "LongEval" in metadata[0].text and "01:41" in metadata[0].text


@pytest.mark.shared
def test_talk_ids_are_stable_across_runs(talk: Path, talk_analysis: VideoAnalysis) -> None:
    again = analyse(talk, language="zh")
    assert [r.id for r in again.records] == [r.id for r in talk_analysis.records]
    assert len({r.id for r in again.records}) == len(again.records)


@pytest.mark.shared
def test_nasa_subtitle_streams_and_narration(shared_dir: Path) -> None:
    video = shared_dir / "media" / "nasa_13013.mp4"
    analysis = analyse(video, language="en")
    seen = {track["source"]: track for track in analysis.subtitle_tracks}
    assert seen["stream #2"]["cues"] == seen["stream #5"]["cues"] == 4
    chosen = next(c for c in analysis.chosen_streams if c.kind == "subtitle")
    assert chosen.stream_index == 2 and chosen.reason
    video_choice = next(c for c in analysis.chosen_streams if c.kind == "video")
    assert video_choice.stream_index == 3 and "largest picture" in video_choice.reason

    subtitles = [r for r in analysis.records if r.segment == "subtitle"]
    for cue in parse_srt_or_vtt((shared_dir / "media" / "nasa_13013.srt").read_text(encoding="utf-8")):
        holder = [r for r in subtitles if cue.text in r.text]
        assert holder, cue.text
        assert holder[0].start_s is not None and holder[0].end_s is not None
        assert holder[0].start_s <= cue.start_s + 0.01 and cue.start_s < holder[0].end_s


@pytest.mark.shared
def test_truncated_talk_gives_partial_evidence(shared_dir: Path) -> None:
    analysis = analyse(shared_dir / "media" / "video_corrupt.mp4")
    assert analysis.status in ("partial", "failed")
    assert any("truncated or damaged" in problem for problem in analysis.problems)
    assert all((r.end_s or 0) <= 101.08 for r in analysis.records)
    slides = [r for r in analysis.records if r.segment == "slide"]
    assert slides and max(r.start_s or 0 for r in slides) < 40.4  # 40 % of the bytes ≈ the first 40 s
    assert "截断" in analysis.disclosure["zh"] and "truncated" in analysis.disclosure["en"]


@pytest.mark.shared
def test_talk_without_audio_or_subtitles(shared_dir: Path) -> None:
    analysis = analyse(shared_dir / "media" / "video_noaudio.mp4")
    assert analysis.status == "partial"
    assert "no audio, no subtitles: speech not transcribed" in analysis.problems
    assert sum(r.segment == "slide" for r in analysis.records) == 8
    assert not any(r.segment in ("subtitle", "transcript") for r in analysis.records)
    assert analysis.disclosure["en"] == (
        "Not analysed in video_noaudio.mp4: speech (the file has no audio track and no subtitles)."
    )


@pytest.mark.shared
def test_long_video_is_sampled_within_the_time_budget(talk: Path) -> None:
    # 2 s cannot decode all 2,527 frames and OCR 8 slides: the scan falls back to keyframes (and seeking).
    analysis = analyse(talk, time_budget_s=2.0)
    assert "time budget: every frame decoded up to" in (analysis.step("slides") or pytest.fail()).detail
    assert any(problem.startswith("time budget") for problem in analysis.problems)
    assert analysis.status in ("partial", "failed") and analysis.disclosure["en"]
    assert analysis.seconds < 30  # bounded, with room for one OCR call started just before the deadline
