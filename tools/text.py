"""Language-aware text measures: CJK-aware length, language shares, sentence splitting.

Length follows the convention of Chinese word processors for 字: every CJK character counts one, and
every run of Latin letters or digits counts one (an English word or a number inside Chinese text).
English word counts count whitespace-separated words that contain a letter or digit.

Sentences (:func:`split_sentences`, :func:`sentence_pieces`) are the one segmenter of the project, used by
chunking, drafting and checking alike. A line break and a Chinese terminal mark (。！？ with its closing
quotes) always end a sentence; whether a Western full stop does (``et al.``, ``Fig. 3``, ``3.5``, ``U.S.``,
quotes) is decided by pysbd's rules (Golden Rules of sentence boundary disambiguation).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Literal

import pysbd
from reportgraph.tools.registry import CITATION_MARKER

LengthUnit = Literal["cjk_chars", "words", "chars"]

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[.'’\-][A-Za-z0-9]+)*")
LATIN_LETTER = re.compile(r"[A-Za-z]")
ENGLISH_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")
# A Chinese sentence ends at 。！？ (repeated, e.g. ！？) and the closing quotes or brackets right after.
_CJK_SENTENCE_END = re.compile(r"[。！？]+[”’\"'」』）)】\]]*")
# Only a Western terminal mark followed by white space and more text can be a boundary worth asking about.
_WESTERN_CANDIDATE = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")
# pysbd's rules know Latin case only; inside a sentence a Chinese character reads like a lowercase letter
# ("Zha et al. 提出" continues, "It was used. 最后" would too, but 。 cut it before).
_AS_LOWERCASE = "x"
# Citation markers written right after a sentence's full stop ("… works.[@id]") belong to that sentence.
_LEADING_CITATIONS = re.compile(rf"(?:[ \t]*{CITATION_MARKER.pattern})+")
_DEFAULT_RULES = "en"  # English rules are also right for English phrases inside Chinese text


def language_unit(language: str) -> LengthUnit:
    """The unit a text in ``language`` is counted in when the task names none: CJK characters (字, with
    Latin words) for Chinese, words for English."""
    return "cjk_chars" if language == "zh" else "words"


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


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of ``text`` (Chinese, English or both), stripped, without empty ones.

    ``language`` (ISO 639-1, e.g. ``"en"``, ``"de"``) selects pysbd's abbreviation rules for Western full
    stops; unknown or None means English rules. Chinese marks are handled the same for every language.
    """
    return [piece.strip() for piece in sentence_pieces(text, language) if piece.strip()]


def sentence_pieces(text: str, language: str | None = None) -> list[str]:
    """Sentences of ``text`` with their trailing white space: ``"".join(pieces) == text`` always."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        start = 0
        for match in _CJK_SENTENCE_END.finditer(line):
            pieces.extend(_western_pieces(line[start : match.end()], language))
            start = match.end()
        pieces.extend(_western_pieces(line[start:], language))
    return _citations_to_previous([piece for piece in pieces if piece])


def _citations_to_previous(pieces: list[str]) -> list[str]:
    for index in range(1, len(pieces)):
        lead = _LEADING_CITATIONS.match(pieces[index])
        if lead and not pieces[index - 1].endswith("\n"):
            pieces[index - 1] += lead.group(0)
            pieces[index] = pieces[index][lead.end() :]
    return [piece for piece in pieces if piece]


def _western_pieces(text: str, language: str | None) -> list[str]:
    if not _WESTERN_CANDIDATE.search(text):
        return [text]
    rules = language if language in pysbd.languages.LANGUAGE_CODES else _DEFAULT_RULES
    starts = _sentence_starts(CJK_CHAR.sub(_AS_LOWERCASE, text), rules)
    bounds = [0, *starts, len(text)]
    return [text[begin:end] for begin, end in itertools.pairwise(bounds)]


@functools.lru_cache(maxsize=8192)  # web corpora repeat boilerplate lines (share buttons, footers, mirrors)
def _sentence_starts(text: str, rules: str) -> tuple[int, ...]:
    """Offsets in ``text`` where pysbd starts a new sentence (never 0).

    pysbd's processor gives stripped sentences (its ``segment`` would also rebuild their character spans
    with one regex per sentence, most of its time), so each is found again in the original.
    """
    starts: list[int] = []
    position = 0
    for segment in _segmenter(rules).processor(text).process():
        core = segment.strip()
        found = text.find(core, position) if core else -1
        if found < 0:
            continue
        if found > 0:
            starts.append(found)
        position = found + len(core)
    return tuple(starts)


@functools.cache
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)
