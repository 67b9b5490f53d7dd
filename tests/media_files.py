"""Small media files the tests make on the fly: slide talks and audio-only clips."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np


def slide_video(
    path: Path,
    slides: list[str],
    *,
    fps: int = 5,
    seconds_per_slide: float = 2.0,
    size: tuple[int, int] = (640, 360),
) -> None:
    """An H.264 video showing each text in black on white for ``seconds_per_slide``."""
    width, height = size
    scale = width / 640
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        index = 0
        for text in slides:
            image = np.full((height, width, 3), 255, np.uint8)
            origin = (round(60 * scale), round(height * 0.55))
            thickness = max(2, round(5 * scale))
            cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 2.2 * scale, (0, 0, 0), thickness)
            for _ in range(int(seconds_per_slide * fps)):
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts, frame.time_base = index, Fraction(1, fps)
                container.mux(stream.encode(frame))
                index += 1
        container.mux(stream.encode(None))


def tone_only(path: Path, seconds: float = 3.0, rate: int = 16_000) -> None:
    """An MP4 with one AAC audio track (a 440 Hz tone) and no pictures."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        samples = np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate).astype(np.float32)
        for start in range(0, len(samples), 1024):
            chunk = samples[None, start : start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
