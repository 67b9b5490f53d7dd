"""Page text in reading order from pdfminer.six's layout analysis, normalised.

pdfminer groups characters into lines and lines into text boxes, and orders the boxes by its layout
analysis (``LAParams.boxes_flow``), so a two-column page is read column after column even when its
content stream draws the columns row by row (pdfium and pypdf follow the stream and interleave rows).
Text inside form XObjects (whole pages wrapped as figures by some producers) is analysed too
(``all_texts``).

Normalisation (:func:`normalize`): NFKC folds ligatures (ﬁ → fi) and compatibility ideographs (Kangxi
radicals → 汉字) but not full-width punctuation, which is meaningful in Chinese; control characters are
removed; glyphs without a Unicode value (pdfminer's ``(cid:N)``, U+0000, U+FFFD) are removed and counted.
"""

from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTPage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

logger = logging.getLogger(__name__)

_UNMAPPED = re.compile(r"\(cid:\d+\)|[\x00\ufffd\ufffe\uffff]")
# A word one or more of whose glyphs have no Unicode value ("con" + lost "fl" + "ict"), and its mark for them.
_DAMAGED_WORD = re.compile(rf"[^\W\d_]*(?:(?:{_UNMAPPED.pattern})+[^\W\d_]*)+")
LOST_GLYPH = "\ufffd"
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\ufeff]")
_FULL_WIDTH = re.compile(r"([\uff00-\uffef\u3000-\u303f]+)")
_HYPHEN_END = re.compile(r"(?<=[a-z])-$")
_CJK_EDGE = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_FOOTNOTE_SIZE = 0.9  # footnotes are set smaller than the body text …
_FOOTNOTE_PART = 0.35  # … in the lower part of the page
_PARAGRAPH_END = re.compile(r"[.!?。！？:：]['\"”’)）]*$")


@dataclass(frozen=True)
class Line:
    """One text line: its normalised text, its box in points from the page's top-left, its font size."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class PageLayout:
    """A page's text boxes in reading order (each a list of lines), pictures and unmapped glyphs."""

    width: float
    height: float
    boxes: list[list[Line]] = field(default_factory=list)
    pictures: int = 0
    unmapped: int = 0
    damaged: list[str] = field(default_factory=list)  # words that lost glyphs, LOST_GLYPH in their place

    def lines(self) -> Iterator[Line]:
        for box in self.boxes:
            yield from box


def normalize(text: str) -> tuple[str, int]:
    """``text`` normalised, and how many glyphs without a Unicode value were removed from it."""
    unmapped = len(_UNMAPPED.findall(text))
    text = _CONTROL.sub("", _UNMAPPED.sub("", text))
    # Odd pieces are full-width runs (kept as written), even pieces everything else (NFKC).
    parts = _FULL_WIDTH.split(text)
    text = "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
    return text, unmapped


def damaged_words(raw: str) -> list[str]:
    """The words of ``raw`` (before :func:`normalize`) with glyphs that have no Unicode value, each run of
    them written as one LOST_GLYPH ("con\ufffdict"); a lone unmapped glyph is no word."""
    words = []
    for match in _DAMAGED_WORD.finditer(raw):
        word = re.sub(f"{LOST_GLYPH}+", LOST_GLYPH, _UNMAPPED.sub(LOST_GLYPH, match.group(0)))
        if word.strip(LOST_GLYPH):
            words.append(unicodedata.normalize("NFKC", word))
    return words


def read_layouts(data: bytes) -> Iterator[PageLayout | Exception]:
    """Each page's layout, or the error that page raised. Raises when the document cannot be opened."""
    document = PDFDocument(PDFParser(BytesIO(data)), password="")
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.create_pages(document):
        try:
            interpreter.process_page(page)
            yield _page_layout(device.get_result())
        except Exception as error:  # pdfminer raises many types on a damaged page; one page, not the file
            logger.debug("pdfminer could not lay out a page", exc_info=True)
            yield error


def _page_layout(page: LTPage) -> PageLayout:
    layout = PageLayout(width=page.width, height=page.height)
    for item in _flatten(page):
        if isinstance(item, LTImage):
            layout.pictures += 1
            continue
        lines = []
        for line in item:
            if not isinstance(line, LTTextLine):
                continue
            text, unmapped = normalize(line.get_text().strip())
            layout.unmapped += unmapped
            if unmapped:
                layout.damaged += damaged_words(line.get_text())
            if text.strip():
                sizes = [char.size for char in line if isinstance(char, LTChar)]
                top, bottom = page.height - line.y1, page.height - line.y0
                lines.append(
                    Line(text.strip(), line.x0, top, line.x1, bottom, statistics.median(sizes or [0]))
                )
        if lines:
            layout.boxes.append(lines)
    return layout


def _flatten(container: LTPage | LTFigure) -> Iterator[LTTextBox | LTImage]:
    for item in container:
        if isinstance(item, LTTextBox | LTImage):
            yield item
        elif isinstance(item, LTFigure):
            yield from _flatten(item)


def join_lines(lines: list[str]) -> str:
    """One paragraph from wrapped lines: hyphenated line ends joined, CJK lines joined without space."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif _HYPHEN_END.search(text) and line[:1].islower():
            text = text[:-1] + line  # a word broken at the line end
        elif text.endswith("-") and text[-2:-1].isalpha() and line[:1].isalnum():
            text += line  # a compound broken at its hyphen (QA-based, Multi-News)
        elif _CJK_EDGE.match(text[-1]) and _CJK_EDGE.match(line[0]):
            text += line
        else:
            text += " " + line
    return text


def page_text(page: PageLayout) -> str:
    """Boxes as paragraphs: a box that ends a sentence ends its line; one that does not (a paragraph
    running on into the next column or page) continues on the same line, so no sentence is cut.
    Footnotes (small type in the page's lower part) go last, so they do not split the paragraph they sit
    under."""
    sizes = [line.size for line in page.lines() if line.size]
    body = statistics.median(sizes) if sizes else 0.0

    def footnote(box: list[Line]) -> bool:
        small = statistics.median(line.size for line in box) < body * _FOOTNOTE_SIZE
        return small and box[0].top > page.height * (1 - _FOOTNOTE_PART)

    text = ""
    for box in sorted(page.boxes, key=footnote):  # stable: reading order kept within each group
        paragraph = join_lines([line.text for line in box])
        if not text:
            text = paragraph
        elif _PARAGRAPH_END.search(text) or not paragraph:
            text += "\n" + paragraph
        else:
            text = join_lines([text, paragraph])
    return text


_MARGIN = 0.08  # share of the page height at top and bottom where running headers and footers sit
_SIDE = 0.12  # share of the page width at either side where line numbers sit
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$|^第\s*\d{1,4}\s*页", re.I
)
_NUMBERS = re.compile(r"^\d{1,4}(?:\s+\d{1,4})*$")
_DIGITS = re.compile(r"\d+")


def drop_page_furniture(pages: list[PageLayout]) -> None:
    """Remove, in place, what is not the author's running text: a line in the top or bottom margin that
    repeats (digits aside) on other pages (running headers and footers), page numbers in those margins,
    and boxes of bare numbers at the page's sides (line numbers of review copies)."""
    repeats = 2 if len(pages) <= 4 else 3
    seen: dict[str, set[int]] = {}
    for number, page in enumerate(pages):
        for line in page.lines():
            if _in_margin(line, page):
                seen.setdefault(_DIGITS.sub("#", line.text.lower()), set()).add(number)
    running = {key for key, where in seen.items() if len(where) >= repeats}
    for page in pages:

        def furniture(line: Line, page: PageLayout = page) -> bool:
            if not _in_margin(line, page):
                return False
            return bool(_PAGE_NUMBER.match(line.text)) or _DIGITS.sub("#", line.text.lower()) in running

        boxes = [[line for line in box if not furniture(line)] for box in page.boxes]
        page.boxes = [box for box in boxes if box and not _line_numbers(box, page)]


def _in_margin(line: Line, page: PageLayout) -> bool:
    return line.bottom <= page.height * _MARGIN or line.top >= page.height * (1 - _MARGIN)


def _line_numbers(box: list[Line], page: PageLayout) -> bool:
    at_side = all(line.x1 <= page.width * _SIDE or line.x0 >= page.width * (1 - _SIDE) for line in box)
    return at_side and all(_NUMBERS.match(line.text) for line in box)
