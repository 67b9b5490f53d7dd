"""Reader hygiene: no sentence said twice, no fragments, no leftovers of generation, no talk about the
writing process and no questions to the reader."""

from __future__ import annotations

import re

from reportgraph.tools.checking.report import (
    CheckResult,
    Report,
    note,
    own_words,
    paragraphs,
    strip_citations,
)
from reportgraph.tools.text import split_sentences

# Near-duplicates: character 3-gram Jaccard of two normalised sentences at least this (a reworded copy);
# sentences shorter than MIN_REPEAT_CHARS (labels, list stubs) are not compared.
NEAR_DUPLICATE = 0.8
MIN_REPEAT_CHARS = 12

_ARTEFACTS: dict[str, re.Pattern[str]] = {
    "boxed answer": re.compile(r"\\boxed\{"),
    "reasoning block": re.compile(r"</?think>|</?reasoning>", re.I),
    "tool-call syntax": re.compile(
        r"<tool_call>|</?function_call>|\"tool_calls\"\s*:|\{\s*\"name\"\s*:\s*\"\w+\"\s*,\s*\"arguments\""
    ),
    # A fenced code example is legitimate in a technical report; a fence around the model's JSON is not.
    "JSON code fence": re.compile(r"^```\s*json\b", re.M | re.I),
}
# In the report's own words (quotes and the product's disclosure note excepted).
_OWN_WORDS: dict[str, re.Pattern[str]] = {
    "question to the reader": re.compile(
        r"[？?]\s*$"
        r"|(?:需要我|是否需要|要不要|您希望|你希望|是否希望|请问您|如果您需要|你需要我|请告诉我|还有什么)"
        r"|^(?:Would you like|Would you prefer|Do you want|Shall I|Should I|Let me know|Please let me know|"
        r"If you(?:'d| would) like|Is there anything else)\b",
        re.I,
    ),
    "self-reference as a model": re.compile(
        r"\bAs an AI(?: language model| assistant| model)?\b(?! researcher| engineer| company| system)"
        r"|\bAs a (?:large )?language model\b|作为(?:一个|一名)?(?:AI|人工智能)?(?:助手|语言模型)",
        re.I,
    ),
    "talk about the writing process": re.compile(
        r"^(?:以下是|下面是|下面我|接下来我|我将|我会|我已|我们将在本报告|本报告将|好的[，,])"
        r"|根据(?:您|你)(?:提供|给出|上传)|(?:检索|搜索)(?:到|结果)的(?:资料|证据)|抽取(?:的|式)(?:句子|生成)"
        r"|^(?:Here is|Here's|Below is|I will|I have|I'll|Sure[,!]|Okay[,!]|As requested)\b"
        r"|\b(?:the (?:retrieved|provided) (?:evidence|materials|documents)|you provided)\b",
        re.I,
    ),
}
_OPENERS, _CLOSERS = "（(《“「[【", "）)》”」]】"
_ABBREVIATION_END = re.compile(r"\b(?:et al|e\.g|i\.e|Fig|Figs|Eq|Eqs|vs|Dr|No|Sec|cf)\.?\s*$", re.I)
_TERMINAL = re.compile(r"[。！？.!?：:；;…」”’\"')）\]】*]\s*$")
_NOT_PROSE = re.compile(r"^\s*(?:\||[-*+]\s|\d+[.、)]\s?|#|>|!\[|```)")


def _normalised(text: str) -> str:
    return re.sub(r"[\W_]+", "", strip_citations(text).lower())


def _shingles(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def near_duplicate(first: str, second: str) -> bool:
    """Do two sentences say the same (normalised: equal, or character 3-gram Jaccard ≥ NEAR_DUPLICATE)?"""
    a, b = _normalised(first), _normalised(second)
    if a == b:
        return True
    grams_a, grams_b = _shingles(a), _shingles(b)
    return len(grams_a & grams_b) / max(1, len(grams_a | grams_b)) >= NEAR_DUPLICATE


def check_repetition(report: Report) -> CheckResult:
    """No sentence (exact or near-duplicate, 3-gram Jaccard ≥ NEAR_DUPLICATE) appears twice anywhere."""
    feedback: dict[int, list[str]] = {}
    seen: list[tuple[str, set[str], int | None]] = []
    repeats: list[tuple[int | None, str]] = []
    for sentence in report.sentences:
        flat = _normalised(sentence.text)
        if len(flat) < MIN_REPEAT_CHARS:
            continue
        grams = _shingles(flat)
        twin = next(
            (s for s in seen if s[0] == flat or len(grams & s[1]) / len(grams | s[1]) >= NEAR_DUPLICATE), None
        )
        if twin is not None:
            repeats.append((sentence.section, sentence.text))
            note(feedback, sentence.section, f'Said before: "{sentence.text[:70]}" — remove the repeat.')
        seen.append((flat, grams, sentence.section))
    return CheckResult(
        name="no_repetition",
        passed=not repeats,
        feedback=feedback,
        sections=sorted({i for i, _ in repeats if i is not None}),
        detail="no sentence is said twice"
        if not repeats
        else f"{len(repeats)} sentences repeat earlier ones",
        figure={
            "sentences_compared": len(seen),
            "repeated": len(repeats),
            "examples": [t[:120] for _, t in repeats[:10]],
            "method": f"normalised sentences: exact match or character 3-gram Jaccard ≥ {NEAR_DUPLICATE}",
        },
    )


def _fragment_problems(paragraph: str) -> list[str]:
    text = strip_citations(paragraph).strip()
    problems = []
    for opener, closer in zip(_OPENERS, _CLOSERS, strict=True):
        if text.count(opener) != text.count(closer) and opener != closer:
            problems.append(f"unbalanced {opener}{closer}")
            break
    if re.search(r"\[\s*@?[\w.\-]*$|\[\^?\d*$|\[unresolved source", text):
        problems.append("dangling reference marker")
    if not _NOT_PROSE.match(paragraph):
        if _ABBREVIATION_END.search(text):
            problems.append("cut at an abbreviation")
        elif len(text) >= 8 and not _TERMINAL.search(text):
            problems.append("ends mid-sentence")
    return problems


def check_fragments(report: Report) -> CheckResult:
    feedback: dict[int, list[str]] = {}
    found: list[tuple[int | None, str, str]] = []
    for section in report.parsed.sections:
        for paragraph in paragraphs(section.body):
            for problem in _fragment_problems(paragraph):
                found.append((section.required_index, problem, paragraph))
                note(
                    feedback,
                    section.required_index,
                    f'Fragment ({problem}): "{paragraph[-60:]}" — finish it.',
                )
    return CheckResult(
        name="no_fragments",
        passed=not found,
        feedback=feedback,
        sections=sorted({i for i, _, _ in found if i is not None}),
        detail="every paragraph is whole" if not found else f"{len(found)} fragments",
        figure={
            "fragments": [{"problem": p, "text": t[-120:]} for _, p, t in found[:10]],
            "method": "per paragraph: balanced brackets and quotes, no dangling marker; prose paragraphs "
            "end with terminal punctuation, not at an abbreviation",
        },
    )


def artefacts_in(text: str) -> list[str]:
    """Names of leftovers of generation and of reader-facing process talk found in ``text`` (own words
    sentence by sentence; quotes excepted)."""
    found = [name for name, pattern in _ARTEFACTS.items() if pattern.search(text)]
    sentences = [s.strip() for s in split_sentences(own_words(text)) if s.strip()]
    found += [name for name, pattern in _OWN_WORDS.items() if any(pattern.search(s) for s in sentences)]
    return found


def check_artefacts(report: Report) -> CheckResult:
    """No generation leftovers, process talk or questions, in the sections and in the title (the
    product's own blockquoted disclosure before the first section is a note to the reader, not prose;
    bold leads and sub-headings, e.g. a question heading a Q&A explanation, are not sentences)."""
    feedback: dict[int, list[str]] = {}
    found: list[tuple[int | None, str]] = []
    for section in report.parsed.sections:
        names = {name for name, pattern in _ARTEFACTS.items() if pattern.search(section.body)}
        for sentence in report.sentences:
            if sentence.section == section.required_index:
                own = own_words(sentence.text).strip()
                names |= {name for name, pattern in _OWN_WORDS.items() if own and pattern.search(own)}
        found += [(section.required_index, name) for name in sorted(names)]
    preamble = "\n".join(line for line in report.parsed.preamble.splitlines() if not line.startswith(">"))
    found += [(None, name) for name in artefacts_in(report.parsed.title + "\n" + preamble)]
    for index, name in found:
        note(feedback, index, f"Remove the {name}: the section must be finished prose for its reader.")
    return CheckResult(
        name="no_artefacts",
        passed=not found,
        feedback=feedback,
        sections=sorted({i for i, _ in found if i is not None}),
        detail="no leftovers, process talk or questions"
        if not found
        else f"found: {sorted({n for _, n in found})}",
        figure={
            "found": [name for _, name in found],
            "method": "patterns per sentence of the report's own words (quotes excepted)",
        },
    )
