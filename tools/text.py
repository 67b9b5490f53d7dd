"""Language-aware text measures: CJK-aware length, language shares, sentence splitting.

Length follows the convention of Chinese word processors for 字: every CJK character counts one, and
every run of Latin letters or digits counts one (an English word or a number inside Chinese text).
English word counts count whitespace-separated words that contain a letter or digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LengthUnit = Literal["cjk_chars", "words", "chars"]

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[.'’\-][A-Za-z0-9]+)*")
LATIN_LETTER = re.compile(r"[A-Za-z]")
ENGLISH_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")
# A sentence ends at Chinese or Western terminal punctuation (Western only when followed by space/end).
SENTENCE_END = re.compile(r"(?<=[。！？；!?])\s*|(?<=[.;:])\s+(?=[A-Z0-9\"“(（\[\u4e00-\u9fff])|\n+")


def count_cjk(text: str) -> int:
    return len(CJK_CHAR.findall(text))


def count_length(text: str, unit: LengthUnit) -> int:
    """Length of ``text`` in ``unit``.

    ``cjk_chars`` is the 字 count: CJK characters plus Latin/number runs, each run counting one.
    """
    if unit == "cjk_chars":
        return count_cjk(text) + len(LATIN_RUN.findall(CJK_CHAR.sub(" ", text)))
    if unit == "words":
        return len(ENGLISH_WORD.findall(text))
    return len(re.sub(r"\s", "", text))


@dataclass(frozen=True)
class LanguageShares:
    """Share of the measurable text that is Chinese vs. English (by characters)."""

    zh: float
    en: float

    @property
    def dominant(self) -> Literal["zh", "en", "unknown"]:
        if self.zh == 0 and self.en == 0:
            return "unknown"
        return "zh" if self.zh >= self.en else "en"


def language_shares(text: str) -> LanguageShares:
    cjk = count_cjk(text)
    latin = len(LATIN_LETTER.findall(text))
    # A Chinese character carries about as much as 3 Latin letters; weigh so shares reflect reading.
    zh_weight, en_weight = cjk * 3.0, float(latin)
    total = zh_weight + en_weight
    if total == 0:
        return LanguageShares(0.0, 0.0)
    return LanguageShares(round(zh_weight / total, 4), round(en_weight / total, 4))


def detect_language(text: str) -> Literal["zh", "en", "unknown"]:
    return language_shares(text).dominant


def split_sentences(text: str) -> list[str]:
    """Split into sentences for Chinese and English, dropping empty pieces."""
    parts = SENTENCE_END.split(text)
    return [p.strip() for p in parts if p and p.strip()]


def normalize_space(text: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", re.sub(r"\r\n?", "\n", text)).strip()
