"""Sentences taken from sources: cleaning, the junk filter, fragments, and one key per sentence.

What the offline writer quotes must be a whole sentence a reader can use: no navigation rows, contact or
citation requests, code or configuration lines, sample dialogue, instructions addressed to a model, and no
fragment cut at an abbreviation or missing its start. :func:`sentence_key` makes "the same sentence" one
key however it is spaced or punctuated, so no sentence is used twice in a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgraph.tools.checking.relevance import junk_kinds
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.text import LengthUnit, count_length, detect_language, split_sentences

_URLISH = re.compile(r"https?://|www\.|\.com\b|\.org\b|@\w+\.")
_SYMBOLS = re.compile(r"[|{}<>=_*#`\\$^~\[\]]")
_MARKUP = re.compile(r"\*\*|`|\\\[|\]\(|\[\[|\"\w+\"\s*:")
# Beyond the checker's junk kinds (tools/checking/relevance.py: navigation, contact lines, configuration or
# code, requests to cite, demo dialogue, instructions to a model or reader — one definition, used here
# too): more dialogue labels, page furniture and captions. Table rows read as text are caught by their
# numbers.
_JUNK = re.compile(
    r"^(?:问题|回答|答案|输入|输出|Q|A|Input|Output)\s*[：:]|申请格式|上一页|下一页|"
    r"Copyright|©|All rights reserved|\b(?:return |\w+\(\)|\w+=\S)|"
    r"(?:^|\s)(?:Figure|Fig\.|Table|图|表)\s*\d+\s*[:：]",
    re.I,
)
# A section heading run into the text: "3 The … guidelines In Section 2, …", "research.1 2 Survey of …".
_GLUED_HEADING = re.compile(r"^\d+(?:\.\d+)*\s+[A-Z]|[a-z]\.\d+\s+\d+(?:\.\d+)*\s+[A-Z]")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)?")
_MARKDOWN_LEAD = re.compile(r"^\s*(?:#{1,6}\s*|[-*+]\s+|\d+[.)]\s+|>\s*)")
# "5 Conclusion We present …": PDF text joins a heading to the first sentence under it.
_HEADING_LEAD = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:Abstract|Introduction|Conclusions?|Related Work|Background|Discussion|"
    r"Limitations|Results)\s+(?=[A-Z])"
)
_ENUMERATOR = re.compile(r"^\s*(?:\(\d+\)|\d+\)|[（(][a-z一二三四五六七八九十][)）])\s*")
# A sentence "ending" at an abbreviation was cut there by the splitter.
_CUT_AT_ABBREVIATION = re.compile(r"(?:\bet al|\be\.g|\bi\.e|\bFig|\bEq|\bSec|\bvs|\bcf|\bNo)\.?$", re.I)
_WESTERN_END = re.compile(r"[.!?]['\"’”)]?$|[”\"]$")  # a closing quote ends a quoted definition
_CHINESE_END = re.compile(r"[。！？!?]['\"’”）)]?$")
_NON_WORD = re.compile(r"[\W_]+")
_OPENERS, _CLOSERS = "([{（【《“", ")]}）】》”"


@dataclass(frozen=True)
class Sentence:
    """One usable sentence of a record: its text, the record, its position in the record, its language;
    ``also``: the next record's id when the sentence runs on into it (cited too)."""

    text: str
    record: SourceRecord
    position: int
    lang: str
    also: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return sentence_key(self.text)


def clean_sentence(sentence: str) -> str:
    """Whitespace collapsed, list marks and a section heading glued to the sentence's start removed."""
    sentence = _HEADING_LEAD.sub("", _MARKDOWN_LEAD.sub("", sentence))
    sentence = re.sub(r"\s+", " ", sentence).strip(" -–—•·")
    return sentence.replace("「", "“").replace("」", "”")


def sentence_key(sentence: str) -> str:
    """One key for a sentence however it is spaced, cased, punctuated or enumerated."""
    return _NON_WORD.sub("", _ENUMERATOR.sub("", sentence).lower())


def is_fragment(sentence: str, whole_line: bool = False) -> bool:
    """A piece of a sentence: cut at an abbreviation, unbalanced brackets, starting mid-sentence, or (in
    running text) without a sentence end. ``whole_line``: the text stands alone (a slide line, a cue)."""
    text = _ENUMERATOR.sub("", sentence).strip()
    if not text or _CUT_AT_ABBREVIATION.search(text):
        return True
    if sum(text.count(c) for c in _OPENERS) != sum(text.count(c) for c in _CLOSERS):
        return True
    if text[0].islower() or text[0] in ",;:，；：、)）]":
        return True
    if whole_line:
        return False
    return not (_CHINESE_END.search(text) or _WESTERN_END.search(text))


def is_junk(sentence: str) -> bool:
    """Links, instructions to a model, markup, symbol soup, or one of the junk kinds above."""
    if _URLISH.search(sentence) or _JUNK.search(sentence):
        return True
    if junk_kinds(sentence):
        return True
    if _GLUED_HEADING.search(sentence) or len(_NUMBER.findall(sentence)) > max(5, len(sentence.split()) // 4):
        return True
    return bool(_MARKUP.search(sentence)) or len(_SYMBOLS.findall(sentence)) > max(2, len(sentence) // 40)


def usable(sentence: str, unit: LengthUnit, max_length: int | None = None) -> bool:
    """Worth quoting: long enough to say something, short enough to stay a quote, and no junk kind."""
    if is_junk(sentence):
        return False
    length = count_length(sentence, "cjk_chars")
    words = count_length(sentence, "words")
    long_enough = length >= 10 if detect_language(sentence) == "zh" else words >= 7
    limit = max_length or (160 if unit != "words" else 70)
    too_long = (length if unit != "words" else words) > limit
    letters = sum(ch.isalpha() for ch in sentence)
    return long_enough and not too_long and letters >= len(sentence) * 0.5


def follows(first: SourceRecord, second: SourceRecord) -> bool:
    """``second`` is the chunk right after ``first`` in one document (next chunk, or next page's first)."""
    if first.doc_id != second.doc_id or first.chunk_index is None or second.chunk_index is None:
        return False
    if first.page == second.page:
        return second.chunk_index == first.chunk_index + 1
    return first.page is not None and second.page == first.page + 1 and second.chunk_index <= 1


def run_on(first: SourceRecord, second: SourceRecord, unit: LengthUnit) -> Sentence | None:
    """The sentence ``first`` ends with a colon ("… define as:") completed by ``second``'s first sentence."""
    head = split_sentences(first.text)[-1:] if first.text.rstrip().endswith((":", "：")) else []
    tail = split_sentences(second.text)[:1]
    if not head or not tail or not follows(first, second):
        return None
    text = clean_sentence(f"{head[0]} {tail[0]}")
    if not usable(text, unit, 2 * 160) or is_fragment(text):
        return None
    return Sentence(text, first, len(split_sentences(first.text)) - 1, detect_language(text), (second.id,))


def sentences_of(
    record: SourceRecord, unit: LengthUnit, max_length: int | None = None, whole_lines: bool = False
) -> list[Sentence]:
    """The record's usable, whole sentences in their order (positions count every split piece)."""
    found = []
    for position, raw in enumerate(split_sentences(record.text)):
        text = clean_sentence(raw)
        if usable(text, unit, max_length) and not is_fragment(text, whole_lines):
            found.append(Sentence(text, record, position, detect_language(text)))
    return found
