"""Numbers as a claim states them and as a source prints them, across notations and scripts.

A writer converts what the source prints: 31.3M → 3130 万, 16.4B → 164 亿, 75K → 7.5 万, 0.93 → 93 %,
"five times" → 五倍, full-width ４２ → 42. Both sides are read to plain values (a scale word or suffix
multiplies: 万 10⁴, 亿 10⁸, 千 10³, 百 10², k/K/thousand 10³, M/million 10⁶, B/billion 10⁹); a value
matches when equal up to the percent/fraction shift (93 % ↔ 0.93).

Not every digit is a claimed quantity. Labels are taken off a claim before its numbers are read (they name
something, they do not state a figure): figure/table/section/appendix/equation/algorithm numbers (图1, 表 1,
Table 4, Section 3.2, 第2节, §4), research questions (RQ1), time stamps and ranges ("00:12–00:24", the
citation's job).
Numbers glued to a name in the source ("ACL2020", "EACL2023") are read as values there, so "ACL 2020" in a
claim is found.

Approximation the writer states (约, 大约, 近, 将近, 超过, 逾, 左右, about, around, approximately, roughly,
nearly, almost, over, more than, ~, ≈) widens the match to ``APPROXIMATE_SHARE`` of the value: rounding to
one or two significant figures ("约3000词" for 3,092) stays inside it. Without such a word, values must be
equal.

API: ``claimed(text) -> list[Quantity]``, ``stated(text) -> set[float]``, ``matches(quantity, found)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from reportgraph.tools.intake.spec.numbers import parse_chinese_number
from reportgraph.tools.text import CJK_CHAR

APPROXIMATE_SHARE = 0.1  # "约/about": one- or two-significant-figure rounding (3,092 → 约3000 is 3 %)
_SCALES = {
    "万": 1e4,
    "亿": 1e8,
    "千": 1e3,
    "百": 1e2,
    "百万": 1e6,
    "千万": 1e7,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "mn": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_SCALE = r"百万|千万|万|亿|千|百|thousand|million|billion|mn|bn|[kKMB](?![A-Za-z])"
_NUMBER = re.compile(
    r"(?<![A-Za-z\d@])(?<!\d\.)(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    rf"(?:\s*(?P<pct>%|percent|个百分点)|\s*(?P<scale>{_SCALE}))?(?![A-Za-z\d])",
)
# In a source, a number glued after a name's capitals ("ACL2020") is a value too.
_GLUED = re.compile(r"(?<=[A-Z])(\d{2,4})(?![\d.])")
_ORDINAL = re.compile(r"(?<![A-Za-z\d])(\d+)(?:st|nd|rd|th)\b")
# A number inside a term ("6-gram", "5-point scale", "10-fold", "3-shot") names a kind of thing: in any
# script (6元组, 5分制) it is looked up as that term in the whole cited unit, not as a claimed quantity.
TERM_KINDS: dict[str, str] = {
    "gram": r"-?\s*grams?|元组|元语法|元文法",
    "point": r"-?\s*point|分制|点量表|级量表|点制",
    "fold": r"-?\s*fold|折",
    "shot": r"-?\s*shots?|样本",
    "way": r"-?\s*way|路",
}
_TERM = re.compile(
    r"(?<![A-Za-z\d.])(\d+)\s*("
    + "|".join(f"(?P<{kind}>{words})" for kind, words in TERM_KINDS.items())
    + ")"
)
# Labels in zh and en by kind ("图1" and "Figure 1" name the same figure). A reference names something the
# cited unit prints under it (numbered_terms looks it up there); every label, reference or not, is blanked
# before a claim's numbers are read (without_labels).
REFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    "figure": ("图", "figure", "fig."),
    "table": ("表", "table", "tab."),
    "section": ("section", "sec.", "§"),
    "appendix": ("附录", "appendix"),
}
_OTHER_LABELS = ("公式", "算法", "equation", "eq.", "algorithm", "rq")
_REFERENCE_OF = {word: kind for kind, words in REFERENCE_KINDS.items() for word in words}
_LABEL_WORDS = [*_REFERENCE_OF, *_OTHER_LABELS]
_CJK_LABELS = [word for word in _LABEL_WORDS if CJK_CHAR.match(word)]
_LATIN_LABELS = [word for word in _LABEL_WORDS if not CJK_CHAR.match(word)]


def _words(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_LABEL_NUMBER = r"[A-Z]?\d+(?:\.\d+)*"
# A Chinese label may follow any character ("如图2"); a Latin one not a letter ("subtable 2" is no label).
_LABELS = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[–—\-~～至到]\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    rf"|(?:{_words(_CJK_LABELS)}|(?<![A-Za-z])(?:{_words(_LATIN_LABELS)}))\s*{_LABEL_NUMBER}[a-z]?"
    r"|第\s*\d+(?:\.\d+)*\s*(?:节|章|部分|小节)",
    re.I,
)
_REFERENCE = re.compile(
    rf"(?<![A-Za-z\u4e00-\u9fff])({_words(list(_REFERENCE_OF))})\s*({_LABEL_NUMBER})", re.I
)
_APPROX_BEFORE = re.compile(
    r"(?:约|大约|大概|近|将近|接近|超过|逾|多于|不少于|上下|approximately|about|around|roughly|nearly|almost"
    r"|over|more than|some|~|≈|～)\s*$",
    re.I,
)
_APPROX_AFTER = re.compile(r"^\s*(?:[^\s\d]{0,3}?)(?:左右|上下|余|多)")
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# Chinese numerals a claim states as a quantity: "五倍", "百分之三十", "一百二十篇" (a bare 一 is a word).
_CN_CLAIM = re.compile(
    r"百分之(?P<pct>[零〇一二两三四五六七八九十百]+)|(?P<times>[一二两三四五六七八九十]+)倍"
    r"|(?<![数几上成好])(?P<count>(?:[一二两三四五六七八九][十百千]|十)[零〇一二两三四五六七八九十百千]*)(?=[篇个名位项种条份次年词字])"
)
_EN_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "twice": 2,
    "double": 2,
    "half": 0.5,
    "thrice": 3,
}
_EN_WORD = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.I)


@dataclass(frozen=True)
class Quantity:
    """A number a claim states: its value (scale applied), the other reading of a percentage, and whether
    the writer marked it as approximate."""

    value: float
    approximate: bool = False
    percent: bool = False
    start: int = 0  # where it stands in the label-free claim text (for the clause that states it)


def normal(text: str) -> str:
    """Full-width digits, letters and signs as ASCII (NFKC), so ４２％ reads as 42%."""
    return unicodedata.normalize("NFKC", text)


def without_labels(text: str) -> str:
    """The text with figure/table/section/RQ numbers, time stamps and numbered terms blanked (same length
    kept)."""
    blank = _LABELS.sub(lambda m: " " * len(m.group(0)), normal(text))
    return _TERM.sub(lambda m: " " * len(m.group(0)), blank)


def numbered_terms(text: str) -> set[tuple[int | str, str]]:
    """(number, kind) of each numbered term or reference label: "6-gram" and "6元组" → (6, "gram");
    "Table 2" and "表 2" → ("2", "table"). A reference is not a quantity, but it names something the
    cited unit prints under that label (a wrong table number is a wrong claim)."""
    text = normal(text)
    terms: set[tuple[int | str, str]] = {
        (int(m.group(1)), next(kind for kind in TERM_KINDS if m.group(kind))) for m in _TERM.finditer(text)
    }
    for match in _REFERENCE.finditer(text):
        terms.add((match.group(2), _REFERENCE_OF[match.group(1).lower()]))
    return terms


def _scaled(match: re.Match[str]) -> tuple[float, bool]:
    value = float(match.group("num").replace(",", ""))
    scale = match.group("scale")
    if scale:
        value *= _SCALES[scale if scale in _SCALES else scale.lower()]
    return value, bool(match.group("pct"))


def _approximate(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 16) : start], text[end : end + 6]
    return bool(_APPROX_BEFORE.search(before) or _APPROX_AFTER.match(after))


def claimed(text: str) -> list[Quantity]:
    """The quantities a claim states, labels left out (see the module's docstring)."""
    clean = without_labels(text)
    found = []
    for match in _NUMBER.finditer(clean):
        value, percent = _scaled(match)
        found.append(Quantity(value, _approximate(clean, match.start(), match.end()), percent, match.start()))
    for match in _CN_CLAIM.finditer(clean):
        run = match.group("pct") or match.group("times") or match.group("count")
        numeral = parse_chinese_number(run)
        if numeral is not None:
            approx = _approximate(clean, match.start(), match.end())
            found.append(Quantity(numeral, approx, bool(match.group("pct")), match.start()))
    return found


def stated(text: str) -> set[float]:
    """Every value a source prints, in any notation above (a percentage also as its fraction, a scaled
    number also as printed: "31.3M" → 31,300,000 and 31.3), number words and Chinese numerals included."""
    text = normal(text)
    values: set[float] = set()
    for match in _NUMBER.finditer(text):
        value, percent = _scaled(match)
        values.update({value, float(match.group("num").replace(",", ""))})
        if percent:
            values.add(round(value / 100, 6))
    values.update(float(m.group(1)) for m in _GLUED.finditer(text))
    values.update(float(m.group(1)) for m in _ORDINAL.finditer(text))
    values.update(float(_EN_WORDS[m.group(1).lower()]) for m in _EN_WORD.finditer(text))
    for run in _CN_RUN.findall(text):
        numeral = parse_chinese_number(run)
        if numeral is not None:
            values.add(numeral)
    return values


def matches(quantity: Quantity, found: set[float]) -> bool:
    """Is the quantity among the found values (93 ↔ 0.93 either way; within APPROXIMATE_SHARE when the
    writer said it is approximate)?"""
    value = quantity.value
    candidates = {value, round(value / 100, 6), round(value * 100, 6)}
    share = APPROXIMATE_SHARE if quantity.approximate else 1e-6
    return any(abs(c - f) <= max(share * abs(c), 1e-9) for c in candidates for f in found)
