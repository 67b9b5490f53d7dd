"""Reading order of an OCR'd page (issue 27): a figure's labels come after the page's prose instead of
splitting the paragraph the figure interrupts, rule tables stay in the flow, and italic lines and numbers
keep their word spaces. Pages are drawn here with the system's DejaVu fonts."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportgraph.tools import ocr
from reportgraph.tools.ocr import read_page_lines
from reportgraph.tools.ocr_layout import figure_regions

FONTS = "/usr/share/fonts/truetype/dejavu/"
LEFT = ["Beekeepers in the valley move their hives", "twice a year, following the flowers up",
        "the slopes in spring and back down to the", "orchards when the first frost arrives."]
LEFT_AFTER = ["The move is made at night, when the bees", "are all inside and the air is cool enough",
              "to keep them calm on the bumpy road."]
RIGHT = ["Honey from the high meadows is darker", "and keeps its taste for longer than the",
         "honey of the orchards, which buyers in", "the town prefer for baking and for tea."]
LABELS = ["Spring meadow", "Orchard rows", "Winter shed"]
CAPTION = "Figure 2: Where the hives stand."


def _page(draw_figure: bool, table: bool = False) -> np.ndarray:
    """A two-column page (1240 px wide): prose in both columns; in the left column, between two runs of
    prose, a framed figure with labels and a caption, or a rule table."""
    page = Image.new("RGB", (1240, 1100), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONTS + "DejaVuSerif.ttf", 26)
    y = 80
    for line in LEFT:
        draw.text((60, y), line, fill="black", font=font)
        y += 40
    y += 40
    if draw_figure:
        draw.rectangle((70, y, 560, y + 300), outline="black", width=3)
        draw.line((120, y + 250, 520, y + 60), fill="black", width=4)
        for n, label in enumerate(LABELS):
            draw.text((100 + 150 * (n % 2), y + 40 + 90 * n), label, fill="black", font=font)
        y += 330
        draw.text((60, y), CAPTION, fill="black", font=font)
        y += 80
    elif table:
        for row, cells in enumerate([("Hive", "Kilograms"), ("North", "31"), ("South", "27")]):
            draw.line((60, y, 560, y), fill="black", width=2) if row < 2 else None
            draw.text((70, y + 8), cells[0], fill="black", font=font)
            draw.text((380, y + 8), cells[1], fill="black", font=font)
            y += 48
        draw.line((60, y, 560, y), fill="black", width=2)
        y += 60
    for line in LEFT_AFTER:
        draw.text((60, y), line, fill="black", font=font)
        y += 40
    for n, line in enumerate(RIGHT):
        draw.text((660, 80 + 40 * n), line, fill="black", font=font)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def _position(lines: list[str], text: str) -> int:
    squeeze = re.sub(r"\W", "", text).lower()
    return next(n for n, line in enumerate(lines) if squeeze in re.sub(r"\W", "", line).lower())


def test_a_figures_labels_come_after_the_prose_it_interrupts() -> None:
    lines = read_page_lines(_page(draw_figure=True))
    last_before, first_after = _position(lines, LEFT[-1]), _position(lines, LEFT_AFTER[0])
    caption = _position(lines, CAPTION)
    assert last_before < caption < first_after  # the caption belongs to the prose's flow
    assert first_after == caption + 1, lines  # no label between the caption and the paragraph after it
    labels = [_position(lines, label) for label in LABELS]
    assert min(labels) > _position(lines, RIGHT[-1]), lines  # after the whole page's prose


def test_a_rule_table_is_not_a_figure() -> None:
    image = _page(draw_figure=False, table=True)
    result, _ = ocr.ocr_engine()(image)
    assert figure_regions(result, image) == []
    lines = read_page_lines(image)
    assert _position(lines, LEFT[-1]) < _position(lines, "North") < _position(lines, LEFT_AFTER[0])


def test_a_page_of_prose_has_no_figure() -> None:
    image = _page(draw_figure=False)
    result, _ = ocr.ocr_engine()(image)
    assert figure_regions(result, image) == []


def _line(text: str, font_file: str, size: int = 30) -> np.ndarray:
    font = ImageFont.truetype(FONTS + font_file, size)
    picture = Image.new("RGB", (1200, 90), "white")
    ImageDraw.Draw(picture).text((30, 25), text, fill="black", font=font)
    return cv2.cvtColor(np.asarray(picture), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize(("font_file", "size"), [("DejaVuSans-Oblique.ttf", 20),
                                               ("DejaVuSansCondensed-Oblique.ttf", 20),
                                               ("DejaVuSerif.ttf", 20)])
def test_slanted_and_upright_lines_keep_their_word_spaces(font_file: str, size: int) -> None:
    # At this size the oblique faces leave no blank column between "of" and "papers" until the slant is
    # undone; shearing the upright line instead would open false gaps beside its "l"s.
    text = "selection of papers for the survey"
    read = " ".join(read_page_lines(_line(text, font_file, size)))
    assert read.split() == text.split(), read


def test_digits_of_one_number_stay_together() -> None:
    # DejaVu's "1" stands alone in a blank as wide as a word space at this size.
    text = "published in 2011 and 1911 there were 1117 hives"
    read = " ".join(read_page_lines(_line(text, "DejaVuSerif.ttf", 20)))
    assert read.split() == text.split(), read
