"""The speech steps of a video analysis: subtitle tracks, else transcription of the audio.

Each step takes the :class:`~reportgraph.tools.video.state.VideoRun` and records its outcome there.
"""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Sequence
from pathlib import Path

import av
import av.container
from reportgraph.tools.registry import SourceRecord, format_timestamp, video_segment_id
from reportgraph.tools.video.probe import StreamChoice, choose_audio_stream, timeline_origin_s
from reportgraph.tools.video.state import VideoRun
from reportgraph.tools.video.subtitles import (
    Cue,
    SidecarSpec,
    SubtitleTrack,
    choose_track,
    find_sidecars,
    merge_cues,
    read_embedded,
    read_sidecar,
)
from reportgraph.tools.video.types import (
    Limitation,
    ModelEndpoint,
    StepReport,
    describe_exception,
    video_file_key,
)

SUBTITLE_SCAN_SHARE = 0.2  # of the time budget, for reading embedded subtitle packets
TRANSCRIPTION_CHUNK_S = 600.0  # 16 kHz mono WAV: ~19 MB per chunk, under the usual 25 MB upload limit
SPEECH_RATE = 16_000


def read_subtitles(run: VideoRun, sidecars: SidecarSpec) -> None:
    with run.step("subtitles") as report:
        tracks: list[SubtitleTrack] = []
        if run.probe is not None:
            deadline = time.monotonic() + SUBTITLE_SCAN_SHARE * run.budget_s
            with run.media() as container:
                run.embedded = read_embedded(container, run.probe.of_type("subtitle"), deadline)
            tracks.extend(run.embedded.tracks)
            if run.embedded.read_error:
                run.problem(f"subtitle/packet scan of {run.path.name}: {run.embedded.read_error}")
            if not run.embedded.complete:
                end = format_timestamp(run.embedded.data_end_s)
                run.problem(
                    f"time budget: embedded subtitles were read only up to {end}",
                    Limitation(
                        en=f"subtitles after {end} (time budget used up)",
                        zh=f"{end} 之后的字幕（时间预算用尽）",
                    ),
                )
        tracks.extend(read_sidecar(file, run.path.stem) for file in find_sidecars(run.path, sidecars))
        run.result.subtitle_tracks = [track.summary() for track in tracks]
        if not tracks:
            report.status, report.detail = "skipped", "no embedded subtitle streams and no subtitle files"
            return
        seen = ", ".join(
            f"{t.source}: {len(t.cues)} cues" + (f" ({t.error})" if t.error else "") for t in tracks
        )
        chosen = choose_track(tracks, run.language)
        if chosen is None:
            report.status, report.detail = "failed", f"no usable subtitle track ({seen})"
            for track in tracks:
                run.problem(f"subtitles {track.source}: {track.error}")
            return
        run.track, choice = chosen
        run.result.chosen_streams.append(choice)
        report.detail = f"seen {seen}; chose {choice.source}: {choice.reason}"


def speech(run: VideoRun, transcriber: ModelEndpoint | None) -> None:
    with run.step("speech") as report:
        if run.track is not None:
            _from_subtitles(run, run.track, report)
            return
        audio = choose_audio_stream(run.probe, run.language) if run.probe else None
        if audio is None:
            report.status, report.detail = "skipped", "no audio and no subtitles"
            run.problem(
                "no audio, no subtitles: speech not transcribed",
                Limitation(
                    en="speech (the file has no audio track and no subtitles)",
                    zh="语音（文件既无音轨也无字幕）",
                ),
            )
            return
        run.result.chosen_streams.append(audio)
        if transcriber is None:
            report.status, report.detail = "skipped", "no subtitles; no transcription endpoint configured"
            run.problem(
                f"speech not transcribed: the audio ({audio.source}) has no subtitles and "
                "no transcription endpoint is configured",
                Limitation(
                    en="speech (no subtitles, and no transcription service is configured)",
                    zh="语音（没有字幕，且未配置语音转写服务）",
                ),
            )
            return
        _from_transcription(run, audio, transcriber, report)


def _from_subtitles(run: VideoRun, track: SubtitleTrack, report: StepReport) -> None:
    cues = run.clamp(track.cues)
    segments = merge_cues(cues, breaks=run.slide_changes)
    title = f"Subtitles ({track.source}, {track.effective_language or 'language unknown'})"
    for segment in segments:
        run.add_record("subtitle", segment.start_s, segment.end_s, segment.text, title=title)
    report.detail = f"{len(cues)} cues from {track.source} merged into {len(segments)} segments"


def _from_transcription(run: VideoRun, audio: StreamChoice, transcriber: ModelEndpoint, report: StepReport
) -> None:
    assert audio.stream_index is not None
    try:
        with run.media() as container:
            chunks, audio_error = extract_speech_audio(container, audio.stream_index)
        if audio_error:
            run.problem(f"audio of {run.path.name}: {audio_error}")
        cues = transcribe_audio(chunks, transcriber)
    except Exception as exc:  # any decoding, endpoint or network failure: recorded, not raised
        report.status, report.detail = "failed", f"transcription failed: {describe_exception(exc)}"
        where = transcriber.base_url or "api.openai.com"
        run.problem(
            f"speech not transcribed: {transcriber.model} at {where} failed ({describe_exception(exc)})",
            Limitation(en="speech (transcription failed)", zh="语音（语音转写失败）"),
        )
        return
    segments = merge_cues(run.clamp(cues), breaks=run.slide_changes)
    for segment in segments:
        run.add_record(
            "transcript",
            segment.start_s,
            segment.end_s,
            segment.text,
            title=f"Transcript ({transcriber.model})",
        )
    report.detail = (
        f"{len(chunks)} audio chunks transcribed by {transcriber.model}: {len(segments)} segments"
    )


def extract_speech_audio(
    container: av.container.InputContainer, stream_index: int, chunk_s: float = TRANSCRIPTION_CHUNK_S
) -> tuple[list[tuple[float, bytes]], str]:
    """The audio stream as 16 kHz mono WAV chunks ``(start_s, wav bytes)``, and a decoding problem if any."""
    stream = container.streams[stream_index]
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
    pcm = bytearray()
    origin: float | None = None
    error = ""
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                error = error or f"undecodable audio at {format_timestamp(len(pcm) / 2 / SPEECH_RATE)}: {exc}"
                continue
            for frame in frames:
                if not isinstance(frame, av.AudioFrame):
                    continue
                if origin is None and frame.time is not None:
                    origin = max(0.0, frame.time - timeline_origin_s(container))
                for resampled in resampler.resample(frame):
                    pcm.extend(resampled.to_ndarray().tobytes())
        for resampled in resampler.resample(None):
            pcm.extend(resampled.to_ndarray().tobytes())
    except av.error.FFmpegError as exc:
        error = error or f"audio reading stopped at {format_timestamp(len(pcm) / 2 / SPEECH_RATE)}: {exc}"
    chunk_bytes = int(chunk_s * SPEECH_RATE) * 2
    chunks = []
    for offset in range(0, len(pcm), chunk_bytes):
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SPEECH_RATE)
            wav.writeframes(bytes(pcm[offset : offset + chunk_bytes]))
        chunks.append(((origin or 0.0) + offset / 2 / SPEECH_RATE, buffer.getvalue()))
    if not chunks:
        raise ValueError(error or "the audio stream has no decodable samples")
    return chunks, error


def transcribe_audio(chunks: Sequence[tuple[float, bytes]], endpoint: ModelEndpoint) -> list[Cue]:
    """Timed speech from an OpenAI-compatible ``audio.transcriptions`` endpoint (``verbose_json``).

    A server that returns no segments gives one cue per chunk.
    """
    from openai import OpenAI

    client = OpenAI(
        base_url=endpoint.base_url, api_key=endpoint.key(), timeout=endpoint.timeout_s, max_retries=2
    )
    cues: list[Cue] = []
    for start, wav in chunks:
        response = client.audio.transcriptions.create(
            model=endpoint.model, file=("speech.wav", wav, "audio/wav"), response_format="verbose_json"
        )
        segments = getattr(response, "segments", None)
        if segments:
            cues.extend(
                Cue(start_s=start + float(s.start), end_s=start + float(s.end), text=s.text.strip())
                for s in segments
                if s.text.strip()
            )
            continue
        text = response if isinstance(response, str) else str(getattr(response, "text", "") or "")
        if text.strip():
            length = (len(wav) - 44) / 2 / SPEECH_RATE  # the WAV header is 44 bytes
            cues.append(Cue(start_s=start, end_s=start + length, text=text.strip()))
    return cues



def sidecar_records(task_dir: Path, video_name: str, subtitles: list[str]) -> list[SourceRecord]:
    """Subtitle files beside a video, read on their own when the video itself cannot be decoded.

    ``subtitles`` are file names in ``task_dir``; only those named after the video (``<stem>.*``) count.
    The records carry the ids an analysis of the video would give the same cues.
    """
    video = task_dir / video_name
    key = video_file_key(video)
    records = []
    for name in subtitles:
        track = read_sidecar(task_dir / name, video.stem)
        if not name.startswith(video.stem + ".") or not track.cues:
            continue
        for cue in merge_cues(track.cues):
            records.append(
                SourceRecord(
                    id=video_segment_id(key, cue.start_s, cue.end_s, "subtitle"),
                    kind="video",
                    segment="subtitle",
                    source_file=video_name,
                    text=cue.text,
                    lang=track.language or "unknown",
                    start_s=cue.start_s,
                    end_s=cue.end_s,
                    doc_id=f"vid-{key[:8]}",
                )
            )
    return records
