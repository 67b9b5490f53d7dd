"""The talk as a timeline: each slide and the narration over it, once each, cited with its time range,
one cited line per list item."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportgraph.prompts.offline import QUOTES, TALK_INTRO, TALK_SLIDE, TALK_SPEECH
from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.text import detect_language
from reportgraph.tools.writing.extractive import Sentence, clean_sentence, is_fragment, is_junk, sentences_of
from reportgraph.tools.writing.ledger import Ledger
from reportgraph.tools.writing.quotes import quote

SPEECH = {"subtitle", "transcript", "caption", "external"}
SLIDE_LINES = 3  # a slide's title and its first bullets: what the slide says, not all of it
SPEECH_SENTENCES = 2
_PAGE_NUMBER = re.compile(r"^\s*\d+\s*/\s*\d+\s*$")
_WRAPS = frozenset("a an the of in on for to and or with by from as at into than".split())  # noqa: SIM905


def joined_lines(text: str) -> list[str]:
    """A slide's lines, with a line that wraps (ends on a function word or a comma, or the next starts in
    lower case) joined to the next: "Evaluation of Faithfulness in" + "Long-form …" is one line."""
    lines: list[str] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        previous = lines[-1] if lines else ""
        last_word = previous.rsplit(" ", 1)[-1].lower() if previous else ""
        if previous and (last_word in _WRAPS or previous.endswith(",") or line[0].islower()):
            lines[-1] = f"{previous} {line}"
        else:
            lines.append(line)
    return lines


def slide_lines(record: SourceRecord, lang: str) -> list[Sentence]:
    """A slide's readable lines: its title first, then lines in the task's language before others."""
    lines = []
    for position, raw in enumerate(joined_lines(record.text)):
        text = clean_sentence(raw)
        if len(content_tokens(text)) < 2 or _PAGE_NUMBER.match(text) or is_junk(text):
            continue
        if is_fragment(text, whole_line=True):
            continue
        lines.append(Sentence(text, record, position, detect_language(text)))
    head, rest = lines[:1], lines[1:]
    rest.sort(key=lambda s: (s.lang != lang, s.position))
    # Lines in the task's language are all kept (they need no translation); others up to SLIDE_LINES.
    native = [s for s in rest if s.lang == lang]
    return head + (native if len(native) >= SLIDE_LINES else rest[: SLIDE_LINES - 1])


def write_talk(evidence: Sequence[SourceRecord], lang: str, ledger: Ledger) -> bool:
    """Add the timeline; False when the evidence holds no slide or narration."""
    segments = sorted(
        (r for r in evidence if r.kind == "video" and r.segment != "metadata"), key=lambda r: r.start_s or 0.0
    )
    if not segments:
        return False
    slides = [r for r in segments if r.segment == "slide"]
    speech = [r for r in segments if r.segment in SPEECH]
    parts = slides or speech
    ledger.add(TALK_INTRO[lang])
    ledger.add("")
    for part in parts:
        within = [r for r in speech if part is r or _inside(r, part)] if slides else [part]
        # One item per cited line: a slide's words and the narration over it are checked against their
        # own segments, so they never share a sentence (and a citation) with each other.
        items = [_slide_text(part, lang, ledger)] if slides else []
        for record in within:
            items += [quote(sentence, lang, TALK_SPEECH[lang])
                      for sentence in sentences_of(record, ledger.unit)[:SPEECH_SENTENCES]
                      if ledger.claim(sentence.text)]
        for item in filter(None, items):
            ledger.add(f"- {item}")
    return True


def _inside(speech: SourceRecord, slide: SourceRecord) -> bool:
    start = speech.start_s or 0.0
    return (slide.start_s or 0.0) - 1.0 <= start < (slide.end_s or 0.0)


def _slide_text(slide: SourceRecord, lang: str, ledger: Ledger) -> str:
    """``Slide: “title”“line”[@id]``, or "" when every line was used before."""
    quotes = [s for s in slide_lines(slide, lang) if ledger.claim(s.text)]
    if not quotes:
        return ""
    open_quote, close_quote = QUOTES[lang]
    body = "".join(f"{open_quote}{s.text}{close_quote}" for s in quotes)
    return f"{TALK_SLIDE[lang]}{body}[@{slide.id}]"
