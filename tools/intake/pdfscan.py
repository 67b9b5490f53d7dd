"""Pages whose text layer cannot be trusted, and reading such pages from their picture with OCR.

A text layer is undecodable when many of its glyphs have no Unicode value (a font without a ToUnicode
map: pdfminer shows them as ``(cid:N)``) or when its letters mix scripts no document mixes (a CJK font
read through the wrong encoding comes out as Arabic, Cyrillic, Thai … at once). Such pages, and pages
that are only pictures (scans), are rendered with pdfium and read by the project's OCR engine
(RapidOCR, tools/ocr.py).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pypdfium2 as pdfium
from reportgraph.tools.ocr import read_text

# Share of glyphs without a Unicode value above which the layer is unusable (with at least this many).
MAX_UNMAPPED_SHARE = 0.2
MIN_UNMAPPED = 10
# A page's letters in this many scripts, each with at least MIN_SCRIPT_SHARE of them, is not text.
MAX_SCRIPTS = 2
MIN_SCRIPT_SHARE = 0.05
MIN_LETTERS = 20
# Scripts that share one page: Chinese/Japanese/Korean together; Greek letters are mathematics.
_SCRIPT_GROUP = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "KANGXI": "CJK", "IDEOGRAPHIC": "CJK"}
_IGNORED_SCRIPTS = {"GREEK", "MATHEMATICAL"}
OCR_SCALE = 2.0  # 144 dpi: CJK strokes stay legible to the recogniser
# OCR that recovers less than this share of the letters the text layer claimed leaves the page unread.
MIN_OCR_RECOVERY = 0.3


def undecodable_reason(text: str, unmapped: int) -> str | None:
    """Why a page's text layer cannot be used, or None when it reads as text."""
    letters = [char for char in text if char.isalpha()]
    if unmapped >= MIN_UNMAPPED and unmapped > MAX_UNMAPPED_SHARE * (len(letters) + unmapped):
        return f"{unmapped} glyphs have no Unicode value (a font without a ToUnicode map)"
    private = sum(1 for char in text if unicodedata.category(char) == "Co")
    if private >= MIN_UNMAPPED and private > MAX_UNMAPPED_SHARE * max(1, len(letters)):
        return f"{private} characters are private-use codes (a font without a Unicode map)"
    if len(letters) < MIN_LETTERS:
        return None
    scripts = Counter(_script(char) for char in letters)
    common = [name for name, count in scripts.items() if count >= MIN_SCRIPT_SHARE * len(letters)]
    common = [name for name in common if name not in _IGNORED_SCRIPTS]
    if len(common) > MAX_SCRIPTS:
        return f"its letters mix {len(common)} scripts ({', '.join(sorted(common))}): a wrong font encoding"
    return None


def _script(char: str) -> str:
    name = unicodedata.name(char, "UNKNOWN").split(" ")[0]
    return _SCRIPT_GROUP.get(name, name)


def letter_count(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def ocr_page(document: pdfium.PdfDocument, index: int) -> list[str]:
    """Text lines OCR reads on page ``index`` (from 0), top to bottom."""
    bitmap = document[index].render(scale=OCR_SCALE)
    return read_text(bitmap.to_numpy())
