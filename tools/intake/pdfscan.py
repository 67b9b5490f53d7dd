"""Pages whose text layer cannot be trusted, and reading such pages from their picture with OCR.

A text layer is undecodable when many of its glyphs have no Unicode value (a font without a ToUnicode
map: pdfminer shows them as ``(cid:N)``) or when its letters mix scripts no document mixes (a CJK font
read through the wrong encoding comes out as Arabic, Cyrillic, Thai … at once). Such pages, and pages
that are only pictures (scans), are rendered with pdfium and read by the project's OCR engine
(RapidOCR, tools/ocr.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pypdfium2 as pdfium
from reportgraph.tools.intake.pdflayout import LOST_GLYPH
from reportgraph.tools.ocr import read_page_lines

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
# What a lost glyph most often was: a ligature (fonts map fi, fl, ff, ffi, ffl to one glyph).
LIGATURE_FILLS = ("fi", "fl", "ff", "ffi", "ffl", "ft", "st")
# The OCR quality gate (ocr_quality): English words longer than this are words run together (the longest
# common English words have 15–20 letters); a page whose Latin letters are more than MAX_GLUED_SHARE in them,
# or whose characters are less than MIN_LETTER_SHARE letters, is unreadable. Shorter text is not judged.
MAX_WORD_LETTERS = 20
MAX_GLUED_SHARE = 0.25
MIN_LETTER_SHARE = 0.5
MIN_GATED_CHARS = 40
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
    return read_page_lines(bitmap.to_numpy())


def restore_words(text: str, damaged: list[str], ocr_text: str) -> tuple[str, dict[str, str], list[str]]:
    """``text`` with the ``damaged`` words (LOST_GLYPH where glyphs were lost; in ``text`` they stand
    without them, "conict") restored from the OCR of the same page: each lost run is filled with what OCR
    read there, a ligature's letters first. Returns the text, ``{broken: restored}`` and the words OCR could
    not restore (written with "?" for the lost glyphs)."""
    ocr_words = {word.casefold() for word in re.findall(r"[^\W\d_]+", ocr_text)}
    restored: dict[str, str] = {}
    lost: list[str] = []
    for word in dict.fromkeys(damaged):
        broken = word.replace(LOST_GLYPH, "")
        whole = _restore(word, ocr_words)
        if whole is None:
            lost.append(word.replace(LOST_GLYPH, "?"))
            continue
        restored[broken] = whole
        text = re.sub(rf"(?<![^\W\d_]){re.escape(broken)}(?![^\W\d_])", whole, text)
    return text, restored, lost


def _restore(word: str, ocr_words: set[str]) -> str | None:
    """The word OCR read with ``word``'s lost glyphs filled: a ligature's letters when they make a word
    OCR read, else any one to three letters that do (one way only: an ambiguous fill restores nothing)."""
    parts = word.split(LOST_GLYPH)
    for fill in LIGATURE_FILLS:
        candidate = fill.join(parts)
        if candidate.casefold() in ocr_words:
            return candidate
    pattern = re.compile("([^\\W\\d_]{1,3})".join(map(re.escape, parts)), re.IGNORECASE)
    found = {w for w in ocr_words if pattern.fullmatch(w)}
    if len(found) != 1:
        return None
    fills = pattern.fullmatch(found.pop())
    assert fills is not None  # found holds only full matches
    filled = [*fills.groups(), ""]
    return "".join(part + filled[index] for index, part in enumerate(parts))


def ocr_quality(text: str) -> str | None:
    """Why OCR text is too garbled to quote, or None when it reads as text: Latin words run together (a
    long share of the letters in "words" over MAX_WORD_LETTERS letters, "CheckingLongSummaries:AField…"),
    or too few letters among the characters read (noise on a picture)."""
    visible = re.sub(r"\s", "", text)
    letters = letter_count(visible)
    if len(visible) >= MIN_GATED_CHARS and letters < MIN_LETTER_SHARE * len(visible):
        return f"only {letters} of {len(visible)} characters read are letters"
    words = re.findall(r"[A-Za-z]+", text)
    latin = sum(map(len, words))
    glued = sum(len(word) for word in words if len(word) > MAX_WORD_LETTERS)
    if latin >= MIN_GATED_CHARS and glued > MAX_GLUED_SHARE * latin:
        return f"{glued} of {latin} Latin letters are in words run together (spaces lost)"
    return None
