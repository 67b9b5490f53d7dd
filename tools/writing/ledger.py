"""What a section has written so far: its lines, its length, and the sentences it may no longer use.

A sentence is used once in a report. Within a section the ledger refuses a repeat (the same key, or one
key inside another: a sentence and its longer copy); across sections, the ledger starts with the keys the
other sections quote (tools/writing/evidence.py :func:`assign_sentences`) as already used.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportgraph.tools.text import LengthUnit, count_length
from reportgraph.tools.writing.extractive import sentence_key

# A key this short inside a longer one is a common phrase, not a copy of a sentence.
_MIN_CONTAINED_KEY = 40


class Ledger:
    """Lines of one section body, with its length in ``unit`` and the sentence keys it has used."""

    def __init__(self, unit: LengthUnit, budget: int, taken: Iterable[str] = ()) -> None:
        self.unit = unit
        self.budget = budget
        self.lines: list[str] = []
        self.used = 0
        self._keys: set[str] = set(taken)
        self.claimed: list[str] = []  # keys this section used, in order

    def seen(self, sentence: str) -> bool:
        key = sentence_key(sentence)
        if not key or key in self._keys:
            return True
        if len(key) < _MIN_CONTAINED_KEY:
            return False
        return any(len(old) >= _MIN_CONTAINED_KEY and (old in key or key in old) for old in self._keys)

    def claim(self, sentence: str) -> bool:
        """Mark ``sentence`` used; False when it (or a copy) was used before."""
        if self.seen(sentence):
            return False
        key = sentence_key(sentence)
        self._keys.add(key)
        self.claimed.append(key)
        return True

    def room(self) -> int:
        return self.budget - self.used

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.used += count_length(line, self.unit)

    def body(self) -> str:
        return "\n".join(self.lines).strip() + "\n"
