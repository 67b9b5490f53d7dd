"""Picking and writing quotes: one cited line per sentence, a lead-in from prompts/offline.py before it.

Each quote is a list item of its own: a reader (and the checker's sentence splitter) sees one cited
sentence per item, never several quotes run together into one paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportgraph.prompts.offline import QUOTES
from reportgraph.tools.text import count_length
from reportgraph.tools.writing.extractive import Sentence
from reportgraph.tools.writing.ledger import Ledger


def quote(sentence: Sentence, lang: str, lead: str = "") -> str:
    """``lead“text”[@id]``: the sentence verbatim, marked as a quote, with its citation."""
    open_quote, close_quote = QUOTES[lang]
    citations = "".join(f"[@{source_id}]" for source_id in (sentence.record.id, *sentence.also))
    return f"{lead}{open_quote}{sentence.text}{close_quote}{citations}"


def take(
    candidates: Iterable[Sentence],
    ledger: Ledger,
    limit: int,
    leads: list[str],
    lang: str,
    bullet: bool = False,
    most: int | None = None,
) -> int:
    """Add up to ``limit`` (length units) of unused candidates, the i-th with ``leads[i]`` (the last lead
    repeats), ``most`` at most; return how many were added. A sentence that would overshoot is skipped."""
    added, spent = 0, 0
    for sentence in candidates:
        if spent >= limit or ledger.room() <= 0 or (most is not None and added >= most):
            break
        cost = count_length(sentence.text, ledger.unit)
        if spent and (spent + cost > limit * 1.15 or cost > ledger.room() * 1.1):
            continue
        if not ledger.claim(sentence.text):
            continue
        lead = leads[min(added, len(leads) - 1)] if leads else ""
        ledger.add(("- " if bullet else "") + quote(sentence, lang, lead))
        added += 1
        spent += cost
    return added
