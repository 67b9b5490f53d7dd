"""What a section has written so far: its lines, its length, and the sentences it may no longer use.

A sentence is used once in a report. Within a section the ledger refuses a repeat (the same key, or one
key inside another: a sentence and its longer copy); across sections, retrieval gives each sentence to
one section (:func:`owned_sentences`) and the ledger starts with the others' keys as already used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.text import LengthUnit, count_length, split_sentences
from reportgraph.tools.writing.extractive import clean_sentence, sentence_key

# A key this short inside a longer one is a common phrase, not a copy of a sentence.
_MIN_CONTAINED_KEY = 24


class Ledger:
    """Lines of one section body, with its length in ``unit`` and the sentence keys it has used."""

    def __init__(self, unit: LengthUnit, budget: int, taken: Iterable[str] = ()) -> None:
        self.unit = unit
        self.budget = budget
        self.lines: list[str] = []
        self.used = 0
        self._keys: set[str] = set(taken)

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
        self._keys.add(sentence_key(sentence))
        return True

    def room(self) -> int:
        return self.budget - self.used

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.used += count_length(line, self.unit)

    def body(self) -> str:
        return "\n".join(self.lines).strip() + "\n"


def owned_sentences(packs: Mapping[str, Sequence[SourceRecord]]) -> dict[str, list[str]]:
    """Per section key, the sentence keys that belong to another section, to be left alone.

    A sentence found in several sections' records (overlapping chunks of one document) belongs to the
    section that ranks its record best; ties go to the earlier section.
    """
    best: dict[str, tuple[int, int, str]] = {}
    for order, (section, records) in enumerate(packs.items()):
        for rank, record in enumerate(records):
            for raw in split_sentences(record.text):
                key = sentence_key(clean_sentence(raw))
                if key and (key not in best or (rank, order) < best[key][:2]):
                    best[key] = (rank, order, section)
    others: dict[str, list[str]] = {section: [] for section in packs}
    for section, records in packs.items():
        mine = {
            sentence_key(clean_sentence(raw)) for record in records for raw in split_sentences(record.text)
        }
        others[section] = sorted(key for key in mine if key and best[key][2] != section)
    return others
