"""On-screen text with RapidOCR (PP-OCRv4 Chinese+English models shipped inside the wheel; no downloads).

The engine takes a moment to load its ONNX sessions, so one instance is built lazily and shared. Results
are cached by picture content: the same slide seen again (a re-run of the graph, a re-encoded copy of the
talk) is not read twice.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

import cv2
import numpy as np
from reportgraph.tools.ocr_layout import reading_order
from reportgraph.tools.quiet import release_loggers

# Lines the recogniser is less sure of than this, or single characters, are mostly noise on photos and
# textured backgrounds (e.g. one CJK character "seen" in a mirror's hexagon pattern).
MIN_LINE_SCORE = 0.6
MIN_LINE_CHARS = 2
CACHE_SIZE = 1024
# A page's word spaces: a blank run this share of the line's height apart (a space in Latin type is about a
# quarter of the line; letters of one word touch or nearly); darker than INK_LEVEL (0–255) is ink.
SPACE_HEIGHT_SHARE = 0.18
# Italic type leans about 12° (tan ≈ 0.21) in common serif faces (Times, Computer Modern, DejaVu).
ITALIC_SLANT = 0.21
INK_LEVEL = 160
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

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


def read_page_lines(image_bgr: np.ndarray) -> list[str]:
    """Text lines of a rendered document page, top to bottom, with the spaces between words that the
    recogniser (trained mostly on Chinese) drops from English lines put back where the picture has them.

    The recogniser places each character it reads (RapidOCR's ``return_word_box``); between two characters
    of a Latin line a space goes where the picture has a blank run at least SPACE_HEIGHT_SHARE of the line's
    height wide (letters of a word are never that far apart; words always are). Chinese lines, which use no
    spaces, keep what was read."""
    result, _ = ocr_engine()(image_bgr, return_word_box=True)
    ink: np.ndarray | None = None
    if result:
        ink = np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) < INK_LEVEL)
    lines = []
    for box, text, score, char_boxes, chars, *_ in reading_order(result or [], image_bgr):
        if float(score) < MIN_LINE_SCORE or len(str(text).replace(" ", "")) < MIN_LINE_CHARS:
            continue
        if ink is None or len(chars) != len(char_boxes):
            lines.append(" ".join(str(text).split()))
            continue
        lines.append(_spaced(ink, box, list(chars), char_boxes))
    return lines


def _spaced(ink: np.ndarray, box: list[list[float]], chars: list[str], char_boxes: list[Any]) -> str:
    """``chars`` joined, with a space between two non-CJK characters where ``ink`` (of the line's ``box``)
    is blank for a run at least SPACE_HEIGHT_SHARE of the line's height; between two digits the run must
    be twice as wide (a "1" stands alone in its width, and "2019" is one number). An italic line is set
    upright first (_deslanted)."""
    top, bottom = int(min(p[1] for p in box)), int(max(p[1] for p in box)) + 1
    band = ink[max(top, 0):bottom]
    if not band.size:
        return " ".join("".join(chars).split())
    blank: np.ndarray = np.logical_not(_deslanted(band).any(axis=0))
    wide = max(2, round(SPACE_HEIGHT_SHARE * (bottom - top)))
    centres = [(b[0][0] + b[1][0]) / 2 for b in char_boxes]
    out = [chars[0]]
    for index in range(1, len(chars)):
        before, char = chars[index - 1], chars[index]
        if char != " " and before != " " and not (_CJK.match(before) or _CJK.match(char)):
            run = _longest_run(blank[int(centres[index - 1]):int(centres[index]) + 1])
            if run >= wide * (2 if before.isdigit() and char.isdigit() else 1):
                out.append(" ")
        out.append(char)
    return " ".join("".join(out).split())


def _deslanted(band: np.ndarray) -> np.ndarray:
    """``band`` (rows of one line), or the band sheared back by ITALIC_SLANT when that leaves more blank
    columns: an italic line's word gaps run slanted, so no column is blank between its words until the
    slant is undone, while shearing upright type closes its gaps (the slant that maximises blank columns,
    as in slant correction of handwriting: Vinciarelli & Luettin, Pattern Recognition Letters 22, 2001)."""
    height = band.shape[0]
    sheared = np.zeros_like(band)
    for row in range(height):
        shift = round(ITALIC_SLANT * (height - 1 - row))
        sheared[row, : band.shape[1] - shift] = band[row, shift:]
    blank_upright = int(np.logical_not(band.any(axis=0)).sum())
    return sheared if int(np.logical_not(sheared.any(axis=0)).sum()) > blank_upright else band


def _longest_run(flags: np.ndarray) -> int:
    best = current = 0
    for flag in flags.tolist():
        current = current + 1 if flag else 0
        best = max(best, current)
    return best
