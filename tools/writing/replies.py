"""A model's reply read as the section body it should be: cleaned, normalised, or failed with a reason.

What small models really write (issue 15, Qwen2.5-Coder-1.5B on a Chinese task): the prompt echoed as the
first line, the evidence pasted back (three times), rendered labels ``[pdf.pdf p.3]`` and markdown links
where ``[@id]`` belongs, citations before their sentence, a reply cut mid-citation at ``max_tokens``.
:func:`clean_reply` turns each into one of two outcomes, listed as :class:`ReplyDefect`:

- normalised (``fixed=True``): reasoning, fences, prompt tags and echoed headings or prompt lines dropped;
  a rendered label or a link to a source of the pack mapped back to its id; a citation that opens its
  sentence moved to the sentence's end; a citation cut off at the end dropped;
- failed (``fixed=False``, the section goes back with the defect's feedback): a paragraph that pastes an
  evidence text verbatim (``PASTE_RUN_CHARS`` characters or more in one run), a repeated paragraph or
  sentence, a label or link that names no source of the pack. Pasted and repeated blocks are removed
  from the body all the same, so a report that runs out of rounds does not show them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from reportgraph.tools.checking.validator import CheckResult, ValidationResult
from reportgraph.tools.file_kinds import CORPUS_SUFFIXES, suffix_alternation, suffixes_of
from reportgraph.tools.llm import strip_reasoning
from reportgraph.tools.registry import CITATION_MARKER, SourceRecord, render_citation

# A verbatim run this long from one evidence text is a paste, not a quotation (a long sentence of either
# language is 60-100 characters).
PASTE_RUN_CHARS = 160
# A repeated sentence shorter than this may be a legitimate refrain ("见上文。"); longer ones are loops.
REPEAT_MIN_CHARS = 20

_LEADING_HEADINGS = re.compile(r"\A(?:\s*(?:#{1,6}[^\n]*|\*\*[^\n*]{1,80}\*\*[:：]?)[ \t]*\n)+")
_WHOLE_FENCE = re.compile(r"\A\s*```[\w-]*[ \t]*\n(.*?)\n?```\s*\Z", re.S)
_FENCE_LINE = re.compile(r"^[ \t]*```[\w-]*[ \t]*$\n?", re.M)
_PROMPT_TAGS = re.compile(r"</?(?:evidence|previous|task|sentence|source)>", re.I)
_TOP_HEADING = re.compile(r"^#{1,2}(?=\s)", re.M)
_SOURCE_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
# [@a, @b], [@a; b], 【@a】 and full-width brackets: models write lists the validator would not read.
_CITATION_GROUP = re.compile(rf"[\[【［]\s*@({_SOURCE_ID}(?:\s*[,;，；、]\s*@?{_SOURCE_ID})*)\s*[\]】］]")
_ID_SEPARATOR = re.compile(r"\s*[,;，；、]\s*@?")
_MARKER = re.compile(rf"\[@({_SOURCE_ID})\]")
_CUT_MARKER = re.compile(r"[\[【［]@?[^\]】］\n]{0,80}\Z")
_LINK = re.compile(r"\[([^\[\]\n]{1,200})\]\((https?://[^)\s]+)\)")
_BRACKETED = re.compile(r"[\[【［(（]@?([^\[\]【】［］()（）\n@]{3,160})[\]】］)）]")
# A file name of a PDF, a video or a collection (tools/file_kinds.py), a page, a chunk or a time.
_LOOKS_LIKE_LABEL = re.compile(
    rf"\.{suffix_alternation((*suffixes_of('pdf', 'video'), *CORPUS_SUFFIXES))}\b|"
    r"\bp\.\s*\d|chunk\s*\d|\d{1,2}:\d{2}",
    re.I,
)
_LEADING_MARKERS = re.compile(r"^((?:[-*]\s+|\d+[.)]\s+)?)((?:\[@[^\]]+\]\s*)+)(\S[^\n]*)$", re.M)
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")
_SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?]?|[^\n]+")
_NON_TEXT = re.compile(r"\[@[^\]]*\]|[\s\W_]+")


@dataclass(frozen=True)
class ReplyDefect:
    """``kind`` (one of prompts' ``REPLY_DEFECT_FEEDBACK`` keys), what was found, and whether it was fixed."""

    kind: str
    detail: str
    fixed: bool


@dataclass
class CleanReply:
    text: str
    defects: list[ReplyDefect] = field(default_factory=list)

    @property
    def failures(self) -> list[ReplyDefect]:
        return [defect for defect in self.defects if not defect.fixed]


def label_key(label: str) -> str:
    """A rendered label as a lookup key: case, spaces, brackets, quotes and commas do not count."""
    return re.sub(r"[\s\[\]【】()（）,，:：\"'“”‘’@]", "", label).lower()


def normalise_citations(text: str) -> str:
    """Citation lists as one ``[@id]`` marker per id, the only form the validator and renderer read."""
    return _CITATION_GROUP.sub(
        lambda match: "".join(f"[@{source_id}]" for source_id in _ID_SEPARATOR.split(match.group(1))), text
    )


def strip_wrapping(reply: str) -> str:
    """No reasoning, fences, prompt tags, leading headings; level-1/2 headings demoted (a heading inside
    a body would start a section of its own in the assembled report)."""
    text = strip_reasoning(reply)
    whole = _WHOLE_FENCE.match(text)
    text = whole.group(1) if whole else text
    text = _PROMPT_TAGS.sub("", _FENCE_LINE.sub("", text))
    text = _LEADING_HEADINGS.sub("", text.strip() + "\n")
    return _TOP_HEADING.sub("###", text)


def drop_echoed_prompt(text: str, prompt: str, title: str, defects: list[ReplyDefect]) -> str:
    """Leading lines that repeat the prompt, or announce the section (``第 4 节“…”正文：``). A line that
    cites is content, never an echo (issue 24): a redraft may keep a cited sentence of the previous draft
    the prompt quotes. Each line removed is recorded whole."""
    lines = text.split("\n")
    while lines and lines[0].strip():
        line = lines[0].strip()
        if CITATION_MARKER.search(line):
            break
        announces = bool(title) and title in line and line.rstrip().endswith((":", "：")) and len(line) < 80
        if not (announces or (len(line) >= 8 and line in prompt)):
            break
        defects.append(ReplyDefect("echoed_prompt", line, fixed=True))
        lines.pop(0)
    return "\n".join(lines).lstrip("\n")


def map_labels(text: str, evidence: Sequence[SourceRecord], defects: list[ReplyDefect]) -> str:
    """Rendered labels and links to a source of the pack become its ``[@id]``; others are reported."""
    by_label = {label_key(render_citation(record)): record.id for record in evidence}
    by_url = {record.url.rstrip("/"): record.id for record in evidence if record.url}
    ids = {record.id for record in evidence}
    titles = {record.title for record in evidence if record.title}

    def link(match: re.Match[str]) -> str:
        words, url = match.group(1), match.group(2).rstrip("/")
        source_id = by_url.get(url) or by_label.get(label_key(words))
        if source_id is None:
            defects.append(ReplyDefect("unknown_link", match.group(0)[:120], fixed=False))
            return words
        defects.append(ReplyDefect("link_as_citation", match.group(0)[:120], fixed=True))
        # Link words that only name the source (its label, id or title) are the citation, not prose.
        spoken = label_key(words) in by_label or words.strip("@ ") in ids or words.strip() in titles
        return f"[@{source_id}]" if spoken else f"{words}[@{source_id}]"

    def label(match: re.Match[str]) -> str:
        inner = match.group(1)
        source_id = by_label.get(label_key(inner))
        if source_id is not None:
            defects.append(ReplyDefect("label_as_citation", match.group(0), fixed=True))
            return f"[@{source_id}]"
        if _LOOKS_LIKE_LABEL.search(inner) and inner.strip() not in ids:
            defects.append(ReplyDefect("unknown_label", match.group(0), fixed=False))
        return match.group(0)

    text = _BRACKETED.sub(label, _LINK.sub(link, text))
    # A label written beside the id it renders ("[pdf.pdf p.3][@pdf-…-p3]") leaves the id twice.
    return re.sub(r"(\[@[^\]]+\])(?:\s*\1)+", r"\1", text)


def move_leading_citations(text: str, defects: list[ReplyDefect]) -> str:
    """``[@a] The claim.`` → ``The claim[@a].``: a citation belongs at the end of the sentence it supports."""

    def move(match: re.Match[str]) -> str:
        bullet, markers, rest = match.group(1), match.group(2).strip(), match.group(3)
        end = _SENTENCE_END.search(rest)
        cut = end.start() if end else len(rest)
        defects.append(ReplyDefect("citation_first", markers, fixed=True))
        return f"{bullet}{rest[:cut]}{markers}{rest[cut:]}"

    return _LEADING_MARKERS.sub(move, text)


def drop_pasted_and_repeated(text: str, evidence: Sequence[SourceRecord], defects: list[ReplyDefect]) -> str:
    """Lines pasting evidence verbatim, repeated paragraphs and sentences: removed and reported."""
    kept: list[str] = []
    seen_paragraphs: set[str] = set()
    seen_sentences: set[str] = set()
    for block in re.split(r"\n\s*\n", text):
        lines = drop_pasted_lines(block, evidence, defects)
        core = _NON_TEXT.sub("", "".join(lines))
        if not core:
            continue
        if core in seen_paragraphs:
            defects.append(ReplyDefect("repeated_block", "\n".join(lines).strip()[:60], fixed=False))
            continue
        seen_paragraphs.add(core)
        lines = [drop_repeated_sentences(line, seen_sentences, defects) for line in lines]
        kept.append("\n".join(lines).strip())
    return "\n\n".join(part for part in kept if part)


def drop_repeated_sentences(line: str, seen: set[str], defects: list[ReplyDefect]) -> str:
    sentences = []
    for sentence in _SENTENCES.findall(line):
        key = _NON_TEXT.sub("", sentence)
        if len(key) >= REPEAT_MIN_CHARS and key in seen:
            defects.append(ReplyDefect("repeated_block", sentence.strip()[:60], fixed=False))
            continue
        seen.add(key)
        sentences.append(sentence)
    return "".join(sentences)


def drop_pasted_lines(block: str, evidence: Sequence[SourceRecord], defects: list[ReplyDefect]) -> list[str]:
    kept = []
    for line in block.split("\n"):
        pasted = pasted_from(line, evidence)
        if pasted is None:
            kept.append(line)
        else:
            defects.append(ReplyDefect("pasted_evidence", f"[@{pasted}] {line.strip()[:60]}…", fixed=False))
    return kept


def pasted_from(paragraph: str, evidence: Sequence[SourceRecord]) -> str | None:
    """The id of an evidence text the paragraph copies ``PASTE_RUN_CHARS`` characters of, in one run."""
    plain = _MARKER.sub("", paragraph)
    if len(plain) < PASTE_RUN_CHARS:
        return None
    for record in evidence:
        matcher = SequenceMatcher(None, plain, record.text, autojunk=False)
        if matcher.find_longest_match(0, len(plain), 0, len(record.text)).size >= PASTE_RUN_CHARS:
            return record.id
    return None


def clean_reply(reply: str, evidence: Sequence[SourceRecord], prompt: str = "", title: str = "",
                cut: bool = False) -> CleanReply:
    """The section body in ``reply`` and every defect found; ``cut``: the reply stopped at max_tokens
    (its unfinished last sentence is dropped, and the defect ``cut_at_max_tokens`` fails the section)."""
    defects: list[ReplyDefect] = []
    text = drop_echoed_prompt(strip_wrapping(reply), prompt, title, defects)
    if cut:
        finished = drop_unfinished_tail(text)
        dropped = text[len(finished):].strip()
        defects.append(ReplyDefect("cut_at_max_tokens", dropped[:60] or finished[-60:], fixed=False))
        text = finished
    elif cut_marker := _CUT_MARKER.search(text.rstrip()):
        text = text.rstrip()[: cut_marker.start()]
        defects.append(ReplyDefect("unterminated_citation", cut_marker.group(0), fixed=True))
    text = normalise_citations(map_labels(normalise_citations(text), evidence, defects))
    text = move_leading_citations(text, defects)
    text = drop_pasted_and_repeated(text, evidence, defects)
    return CleanReply(text.strip() + "\n", defects)


def drop_unfinished_tail(text: str) -> str:
    """Up to the last sentence end (and the citations right after it): what a cut reply finished."""
    text = _CUT_MARKER.sub("", text.rstrip())
    ends = list(re.finditer(r"(?:[。！？!?]|\.(?=\s|\[|$))(?:\s*\[@[^\]\n]+\])*", text))
    return text[: ends[-1].end()] if ends else ""


def with_reply_check(
    result: ValidationResult, draft_defects: Mapping[str, Sequence[str]], *, drafted_by_model: bool
) -> ValidationResult:
    """``result`` plus the hard check ``model_reply``: it fails every section whose model reply had a
    defect code could not fix (state ``draft_defects``, set by the draft node, one entry per section a
    model drafted), with that feedback. ``drafted_by_model`` False (an offline run): no model reply,
    nothing to check, so ``result`` is returned without the check rather than with an empty pass."""
    if not drafted_by_model:
        return result
    failing = sorted(int(key) for key, items in draft_defects.items() if items)
    defects = [f"section {key}: {item}" for key, items in sorted(draft_defects.items()) for item in items]
    replies = len(draft_defects)
    check = CheckResult(
        name="model_reply",
        passed=not failing,
        figure={"sections_drafted_by_model": replies, "sections_with_unfixed_defects": len(failing),
                "method": "defects of each section's model reply that code could not fix (draft node)"},
        detail="; ".join([f"{replies - len(failing)}/{replies} sections' model replies have no defect "
                          "code could not fix", *defects]),
        sections=failing,
    )
    feedback = {key: list(items) for key, items in result.feedback.items()}
    for key, items in draft_defects.items():
        feedback[key] = list(dict.fromkeys([*feedback.get(key, []), *items]))
    feedback = {key: items for key, items in feedback.items() if items}
    return ValidationResult(passed=result.passed and check.passed, checks=[*result.checks, check],
                            feedback=feedback)
