"""The picture steps of a video analysis: slides, truncation, on-screen text (OCR), captions.

Each step takes the :class:`~reportgraph.tools.video.state.VideoRun` and records its outcome there.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import TypeVar

import cv2
import numpy as np
from pydantic import SecretStr
from reportgraph.tools.ocr import ocr_engine, read_picture_text
from reportgraph.tools.registry import format_timestamp
from reportgraph.tools.video.probe import choose_video_stream
from reportgraph.tools.video.slides import SceneScan, scan_scenes
from reportgraph.tools.video.state import VideoRun
from reportgraph.tools.video.types import Limitation, ModelEndpoint, describe_exception

T = TypeVar("T")

SCAN_SHARE = 0.4  # of the time budget, for decoding frames; OCR gets the rest
TRUNCATION_TOLERANCE_S = 2.0
MAX_CAPTIONS = 12
CAPTION_IMAGE_SIDE = 1024
CAPTION_PROMPTS = {
    "zh": "这是一段视频中的一帧画面。请用两三句话客观描述画面内容（图表、示意图、人物、场景），"
    "如有文字请概括其要点。不要推测画面之外的信息。",
    "en": "This is one frame of a video. In two or three sentences, describe objectively what it shows "
    "(charts, diagrams, people, scenes) and summarise any text in it. Do not guess beyond the picture.",
}


def find_slides(run: VideoRun) -> None:
    assert run.probe is not None
    with run.step("slides") as report:
        choice = choose_video_stream(run.probe)
        if choice is None and run.audio_file:
            report.status, report.detail = "skipped", "an audio file: nothing visual to analyse"
            return
        if choice is None:
            cover_only = any(s.cover_art for s in run.probe.of_type("video"))
            what = "only a cover image" if cover_only else "no video stream"
            report.status, report.detail = "skipped", f"{what}: nothing visual to analyse"
            run.problem(
                f"{what}: {run.path.name} has no pictures or slides to analyse",
                Limitation(
                    en="pictures and slides (the file has no video stream)",
                    zh="画面与幻灯片（文件没有视频流）",
                ),
            )
            return
        stream = next(s for s in run.probe.streams if s.index == choice.stream_index)
        run.result.chosen_streams.append(choice)
        if not stream.decodable:
            report.status = "failed"
            report.detail = f"video codec {stream.codec} cannot be decoded by this FFmpeg build"
            run.problem(
                f"video stream #{stream.index} uses codec {stream.codec!r}, which cannot be decoded",
                Limitation(
                    en=f"pictures and slides (video codec {stream.codec} is not supported)",
                    zh=f"画面与幻灯片（不支持视频编码 {stream.codec}）",
                ),
            )
            return
        budget = SCAN_SHARE * max(0.0, run.deadline - time.monotonic())
        with run.media() as container:
            scan = scan_scenes(container, stream.index, duration_s=run.duration_s, budget_s=budget)
        run.scan = scan
        report.detail = (
            f"{len(scan.scenes)} scenes, {scan.distinct_pictures} distinct pictures from {scan.samples} "
            f"samples; {scan.coverage_note(run.duration_s)}"
        )
        if scan.decode_error:
            run.problem(
                f"{scan.decode_errors} video decoding errors in {run.path.name}, "
                f"first {scan.decode_error}"
            )
        if scan.budget_limited and run.duration_s:
            _note_sampling(run, scan)
        if not scan.scenes:
            report.status = "failed"
            run.problem(f"no video frame of {run.path.name} could be decoded")


def _note_sampling(run: VideoRun, scan: SceneScan) -> None:
    """Say which part of the picture the time budget left sampled or unseen."""
    since = format_timestamp(scan.decoded_until_s)
    every = f"{scan.seek_interval_s:.0f}"
    if scan.keyframe_samples or scan.seek_samples:
        how_en = " and then ".join(
            ([f"keyframes ({scan.keyframe_samples})"] if scan.keyframe_samples else [])
            + ([f"frames about every {every} s"] if scan.seek_samples else [])
        )
        how_zh = "，随后".join(
            (["关键帧"] if scan.keyframe_samples else [])
            + ([f"约每 {every} 秒一帧"] if scan.seek_samples else [])
        )
        run.problem(
            f"time budget: after {since} only {how_en} were looked at, "
            "so slide changes there may be missed or placed late",
            Limitation(
                en=f"exact slide changes after {since} (only {how_en} were looked at)",
                zh=f"{since} 之后的幻灯片切换（受时间预算限制，只查看了{how_zh}）",
            ),
        )
    if not scan.reached_end:
        end = format_timestamp(scan.analysed_until_s)
        run.problem(
            f"time budget: the pictures after {end} were not looked at",
            Limitation(
                en=f"the pictures after {end} (time budget used up)",
                zh=f"{end} 之后的画面（时间预算用尽）",
            ),
        )


def check_truncation(run: VideoRun) -> None:
    """A file whose data stops well before its declared duration was cut short (or damaged)."""
    duration = run.duration_s
    if not duration:
        return
    packets_complete = run.embedded is not None and run.embedded.complete
    data_end = max(
        run.embedded.data_end_s if run.embedded and packets_complete else 0.0,
        run.scan.analysed_until_s if run.scan else 0.0,
    )
    packets_short = packets_complete and data_end < duration - TRUNCATION_TOLERANCE_S
    frames_short = run.scan is not None and not run.scan.reached_end and not run.scan.budget_limited
    if not (packets_short or frames_short):
        return
    end, declared = format_timestamp(data_end), format_timestamp(duration)
    if packets_short:
        text = (
            f"{run.path.name} is truncated or damaged: its media data ends at {end} although it "
            f"declares a duration of {declared}; nothing after {end} could be analysed"
        )
    else:
        text = f"video frames of {run.path.name} could only be decoded up to {end} of {declared}"
    run.problem(
        text,
        Limitation(
            en=f"everything after {end} (the file is truncated or damaged)",
            zh=f"{end} 之后的全部内容（文件被截断或损坏）",
        ),
    )


def read_slide_text(run: VideoRun) -> None:
    if run.scan is None or not run.scan.scenes:
        return
    scenes = run.scan.scenes
    with run.step("ocr") as report:
        pictures = [scene for scene in scenes if scene.first_showing]
        ocr_engine()  # built before the loop, so its one-off cost is not mistaken for a slow slide
        unread = []
        # Coarse-to-fine order: if the budget runs out, the pictures read still span the whole video.
        run.notify("ocr", f"0/{len(pictures)} pictures read", done=0, total=len(pictures))
        for done, scene in enumerate((pictures[i] for i in coarse_to_fine(len(pictures))), start=1):
            if scene.image is None or time.monotonic() > run.deadline:
                unread.append(scene)
                continue
            run.picture_text[scene.picture] = read_picture_text(scene.image)
            run.notify("ocr", f"{done}/{len(pictures)} pictures read", done=done, total=len(pictures))
        with_text = [scene for scene in scenes if run.picture_text.get(scene.picture)]
        for scene in with_text:
            lines = run.picture_text[scene.picture]
            run.add_record("slide", scene.start_s, scene.end_s, "\n".join(lines), title=lines[0][:100])
        report.detail = (
            f"{len(run.picture_text)} distinct pictures read; "
            f"{len(with_text)} of {len(scenes)} scenes have on-screen text"
        )
        if unread:
            report.status = "failed" if len(unread) == len(pictures) else "ok"
            count, total = len(unread), len(pictures)
            why_en, why_zh = (
                ("the time budget was used up", "时间预算用尽")
                if not run.scan.pictures_not_kept
                else (
                    "the time budget was used up or too many pictures to keep",
                    "时间预算用尽或画面过多",
                )
            )
            run.problem(
                f"OCR skipped for {count} of {total} distinct pictures ({why_en}), "
                f"e.g. the one at {format_timestamp(min(s.start_s for s in unread))}",
                Limitation(
                    en=f"on-screen text of {count} of {total} slides ({why_en})",
                    zh=f"{total} 张幻灯片中 {count} 张的屏幕文字（{why_zh}）",
                ),
            )


def captions(run: VideoRun, captioner: ModelEndpoint | None) -> None:
    with run.step("captions") as report:
        pictures = [s for s in (run.scan.scenes if run.scan else []) if s.first_showing and s.image]
        if captioner is None or not pictures:
            reason = "no vision model configured" if captioner is None else "no pictures to describe"
            report.status, report.detail = "skipped", reason
            return
        chosen = spread(pictures, MAX_CAPTIONS)
        try:
            captions = caption_pictures(
                [scene.image or b"" for scene in chosen], captioner, run.language
            )
        except Exception as exc:
            report.status, report.detail = "failed", describe_exception(exc)
            run.problem(
                f"picture captions failed: {captioner.model} ({describe_exception(exc)})",
                Limitation(
                    en="descriptions of the pictures (the vision model failed)",
                    zh="画面描述（视觉模型调用失败）",
                ),
            )
            return
        for scene, caption in zip(chosen, captions, strict=True):
            if caption:
                run.add_record(
                    "caption",
                    scene.start_s,
                    scene.end_s,
                    caption,
                    title=f"Picture description ({captioner.model})",
                )
        described = sum(map(bool, captions))
        report.detail = f"{described} of {len(pictures)} distinct pictures described by {captioner.model}"


def coarse_to_fine(count: int) -> list[int]:
    """Indices 0..count-1 in an order that halves the gaps: 0, n/2, n/4, 3n/4, … (each index once)."""
    order: list[int] = []
    seen: set[int] = set()
    step = 1 << max(0, count - 1).bit_length()
    while step:
        for index in range(0, count, step):
            if index not in seen:
                seen.add(index)
                order.append(index)
        step //= 2
    return order


def spread(items: Sequence[T], limit: int) -> list[T]:
    """At most ``limit`` items, evenly spread over ``items`` (first and last included)."""
    if len(items) <= limit:
        return list(items)
    return [items[round(i * (len(items) - 1) / (limit - 1))] for i in range(limit)]



def caption_pictures(pictures: Sequence[bytes], endpoint: ModelEndpoint, language: str) -> list[str]:
    """A short description of each picture (PNG or JPEG bytes) by an OpenAI-compatible vision chat model."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        model=endpoint.model,
        base_url=endpoint.base_url,
        api_key=SecretStr(endpoint.key()),
        timeout=endpoint.timeout_s,
        max_retries=1,
        temperature=0,
    )
    prompt = CAPTION_PROMPTS["zh" if language == "zh" else "en"]
    captions = []
    for picture in pictures:
        image = base64.b64encode(as_small_jpeg(picture, CAPTION_IMAGE_SIDE)).decode("ascii")
        message = HumanMessage(
            content=[
                {"type": "text", "text": prompt},
                {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{image}"}},
            ]
        )
        captions.append(" ".join(model.invoke([message]).text.split()))
    return captions


def as_small_jpeg(picture: bytes, max_side: int) -> bytes:
    """A JPEG of at most ``max_side`` pixels a side: what vision models take cheaply."""
    image = cv2.imdecode(np.frombuffer(picture, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("the picture cannot be decoded")
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("the picture cannot be encoded as JPEG")
    return buffer.tobytes()

