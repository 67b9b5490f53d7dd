"""On-screen text with RapidOCR (PP-OCRv4 Chinese+English models shipped inside the wheel; no downloads).

The engine takes a moment to load its ONNX sessions, so one instance is built lazily and shared. Results
are cached by picture content: the same slide seen again (a re-run of the graph, a re-encoded copy of the
talk) is not read twice.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from typing import Any

import cv2
import numpy as np
from reportgraph.tools.quiet import release_loggers

# Lines the recogniser is less sure of than this, or single characters, are mostly noise on photos and
# textured backgrounds (e.g. one CJK character "seen" in a mirror's hexagon pattern).
MIN_LINE_SCORE = 0.6
MIN_LINE_CHARS = 2
CACHE_SIZE = 1024

_cache: OrderedDict[str, list[str]] = OrderedDict()
_cache_lock = threading.Lock()  # videos may be analysed in parallel threads


@functools.cache
def ocr_engine() -> Any:
    """The shared RapidOCR engine (imported lazily: onnxruntime is slow to import and only needed here)."""
    from rapidocr_onnxruntime import RapidOCR

    # Slides are upright: the text-angle classifier only costs time (~25 % of OCR). Detecting text boxes
    # on a picture at most 960 px wide is faster than the default (short side ≥ 736 px) and, on the
    # benchmark talk, gives tighter boxes whose words keep their spaces (token recall 0.97 → 0.99); the
    # recogniser still reads each box from the full-resolution picture.
    engine = RapidOCR(use_cls=False, print_verbose=False, det_limit_type="max", det_limit_side_len=960)
    release_loggers()  # its loggers print to stderr at DEBUG on their own handlers otherwise
    return engine


def read_text(image_bgr: np.ndarray) -> list[str]:
    """Text lines found in a BGR image, in reading order (top to bottom, left to right)."""
    result, _ = ocr_engine()(image_bgr)
    if not result:
        return []
    lines = []
    for _box, text, score in result:
        cleaned = " ".join(str(text).split())
        if len(cleaned.replace(" ", "")) >= MIN_LINE_CHARS and float(score) >= MIN_LINE_SCORE:
            lines.append(cleaned)
    return lines


def read_picture_text(picture: bytes) -> list[str]:
    """Text lines of an encoded picture (PNG/JPEG bytes), cached by content."""
    key = hashlib.sha1(picture).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return list(_cache[key])
    image = cv2.imdecode(np.frombuffer(picture, np.uint8), cv2.IMREAD_COLOR)
    lines = read_text(image) if image is not None else []
    with _cache_lock:
        _cache[key] = lines
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return list(lines)
