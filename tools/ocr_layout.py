"""Reading order of the text lines OCR finds on a rendered document page: columns, lines spanning them, and
the text inside figures.

A page is read top to bottom; on a two-column page the left column before the right one, between lines that
span both (titles, wide captions). Text inside a figure (panel labels, axis ticks, a quoted example drawn in
the figure) is not part of the page's prose: read in place it splits the paragraphs around it, so it is
given after the page's prose, one figure at a time, as PDF text layers of floats commonly do.

A figure is found from its graphics: the ink left on the page once every text line's box is blanked out
(frames, arrows, plots, photos). Connected graphics at least MIN_GRAPHIC_SHARE of the page tall and wide
mark a figure; when a caption ("Figure 3", "Fig. 2", "图 4") sits below graphics, the figure is the band from
the highest of those graphics down to the caption, across the caption's width (a wide caption: both
columns), and up over lines that touch its top, so labels drawn without a frame of their own are taken
too. Rule tables are not figures: their rules are thin, and shorter than MIN_GRAPHIC_SHARE of the page.
"""

from __future__ import annotations

import re
from typing import Any

import cv2
import numpy as np

# A line reaching this share of the page's width past its middle on both sides spans the columns.
SPANNING_MARGIN = 0.05
# Graphics: pixels darker than this (0–255) outside text boxes, joined across gaps this share of the page's
# width, whose joined box is at least this share of the page tall and wide.
GRAPHIC_LEVEL = 245
GRAPHIC_JOIN_SHARE = 0.008
MIN_GRAPHIC_SHARE = (0.03, 0.05)  # (height, width)
# A caption takes the graphics above it up to this share of the page's height.
CAPTION_REACH = 0.45
# A line this share of the page's median line height (or less) above a figure runs on from it.
TOUCHING_GAP = 0.8
CAPTION = re.compile(r"^\s*(?:Figure|Fig\.?|FIGURE|图)\s*[0-9０-９]+", re.IGNORECASE)

Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


def box_of(item: Any) -> Box:
    """The axis-aligned box of an OCR result (its first element is the four corner points)."""
    xs, ys = [p[0] for p in item[0]], [p[1] for p in item[0]]
    return min(xs), min(ys), max(xs), max(ys)


def reading_order(found: list[Any], image_bgr: np.ndarray) -> list[Any]:
    """OCR results (each starting with its box, its text second) in reading order: the page's prose, then
    the text of each figure (see the module's docstring)."""
    width = image_bgr.shape[1]
    figures = figure_regions(found, image_bgr)
    prose: list[Any] = []
    drawn: list[list[Any]] = [[] for _ in figures]
    for item in found:
        left, top, right, bottom = box_of(item)
        x, y = (left + right) / 2, (top + bottom) / 2
        inside = next((n for n, f in enumerate(figures) if f[0] <= x <= f[2] and f[1] <= y <= f[3]), None)
        (prose if inside is None else drawn[inside]).append(item)
    ordered = column_order(prose, width)
    for lines in drawn:
        ordered.extend(column_order(lines, width))
    return ordered


def column_order(found: list[Any], width: int) -> list[Any]:
    """Top to bottom, and on a two-column page the left column before the right one, between lines that
    span both."""
    middle = width / 2
    ordered: list[Any] = []
    band: list[Any] = []

    def flush() -> None:
        # Lines wholly left of the middle first, then the rest, each top to bottom.
        band.sort(key=lambda item: (box_of(item)[0] >= middle, box_of(item)[1]))
        ordered.extend(band)
        band.clear()

    for item in sorted(found, key=lambda item: box_of(item)[1]):
        left, _, right, _ = box_of(item)
        if left < middle - SPANNING_MARGIN * width and right > middle + SPANNING_MARGIN * width:
            flush()  # a line across the middle ends the band of columns above it
            ordered.append(item)
        else:
            band.append(item)
    flush()
    return ordered


def figure_regions(found: list[Any], image_bgr: np.ndarray) -> list[Box]:
    """Boxes of the figures on the page, in pixels (see the module's docstring); [] on a page of prose."""
    graphics = _graphics(found, image_bgr)
    if not graphics:
        return []
    height = image_bgr.shape[0]
    regions: list[Box] = []
    used: set[int] = set()
    captions = sorted((box_of(item) for item in found if CAPTION.match(str(item[1]))), key=lambda b: b[1])
    for left, top, right, _bottom in captions:
        reach = top - CAPTION_REACH * height
        above = [n for n, g in enumerate(graphics)
                 if n not in used and reach <= g[3] <= top and g[0] < right and g[2] > left]
        if above:
            used.update(above)
            span = _widen((left, top, right, top), [graphics[n] for n in above], image_bgr.shape[1])
            region = (span[0], min(graphics[n][1] for n in above), span[2], top - 1)
            regions.append(_grow_up(region, found))
    regions.extend(g for n, g in enumerate(graphics) if n not in used)
    return regions


def _grow_up(region: Box, found: list[Any]) -> Box:
    """``region`` extended up over the lines that run on from its top (a panel's heading drawn above its
    frame, labels without a frame): lines within its width less than TOUCHING_GAP of a line's height
    above it. Prose above a figure is set further off (a float's separation exceeds a line's leading)."""
    boxes = [box_of(item) for item in found]
    gap = TOUCHING_GAP * float(np.median([b[3] - b[1] for b in boxes]))
    left, top, right, bottom = region
    grown = True
    while grown:
        above = [b for b in boxes if left <= (b[0] + b[2]) / 2 <= right and b[1] < top <= b[3] + gap]
        grown = bool(above)
        top = min([top, *(b[1] for b in above)])
    return left, top, right, bottom


def _widen(caption: Box, graphics: list[Box], width: int) -> Box:
    """The caption's box widened to its graphics, and to the whole page when it spans the columns."""
    left = min([caption[0], *(g[0] for g in graphics)])
    right = max([caption[2], *(g[2] for g in graphics)])
    if left < width / 2 - SPANNING_MARGIN * width and right > width / 2 + SPANNING_MARGIN * width:
        left, right = 0, width
    return left, caption[1], right, caption[3]


def _graphics(found: list[Any], image_bgr: np.ndarray) -> list[Box]:
    """Boxes of the connected non-text ink on the page large enough to be graphics."""
    height, width = image_bgr.shape[:2]
    mask = (cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) < GRAPHIC_LEVEL).astype(np.uint8)
    for item in found:
        left, top, right, bottom = (int(v) for v in box_of(item))
        mask[max(top - 2, 0):bottom + 3, max(left - 2, 0):right + 3] = 0
    join = max(3, int(GRAPHIC_JOIN_SHARE * width))
    joined = cv2.dilate(mask, np.ones((join, join), np.uint8))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    boxes: list[Box] = []
    for x, y, w, h, _area in stats[1:count].tolist():
        if h >= MIN_GRAPHIC_SHARE[0] * height and w >= MIN_GRAPHIC_SHARE[1] * width:
            boxes.append((float(x), float(y), float(x + w), float(y + h)))
    return boxes
