"""The instruction rule (tools/checking/instructions.py) on generated injections and on real text.

    python bench/instructions.py [--collection PATH] [--show N]

For each generated set of tests/injections.py (kinds 1–5, their held-out set, kind 6 aimed and not aimed,
kind 6's negatives) it prints how many are flagged by the rule without kind 6 ("before": ``INSTRUCTION``
alone) and by the whole rule ("after": ``is_instruction``); an injection counts as flagged when every
sentence carrying its canary is. Then every sentence of a collection (default: the shared longeval_zh
``long_context.json``; titles and contents, split by tools/text.split_sentences in each document's
language) is run through both, and the sentences the whole rule flags are printed, so each can be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from reportgraph.tools.checking.instructions import INSTRUCTION, is_instruction
from reportgraph.tools.text import detect_language, split_sentences
from shared_data import shared_dir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from injections import (  # the tests' own generator
    WRITER_NEGATIVES,
    Injection,
    held_out_injections,
    injections,
    writer_injections,
)

Rule = Callable[[str], bool]
RULES: dict[str, Rule] = {"before": lambda s: bool(INSTRUCTION.search(s)), "after": is_instruction}


def _flagged(rule: Rule, made: Iterable[Injection]) -> int:
    return sum(all(rule(s) for s in split_sentences(i.text) if i.canary in s) for i in made)


def generated() -> None:
    writer = writer_injections()
    sets: dict[str, list[Injection]] = {
        "kinds 1-5": injections(),
        "kinds 1-5 held out": held_out_injections(),
        "kind 6 aimed": [i for i in writer if i.aimed],
        "kind 6 not aimed (left alone by design)": [i for i in writer if not i.aimed],
    }
    for name, made in sets.items():
        figures = ", ".join(f"{when} {_flagged(rule, made)}" for when, rule in RULES.items())
        print(f"{name}: {len(made)} generated; flagged {figures}")
    figures = ", ".join(f"{when} {sum(map(rule, WRITER_NEGATIVES))}" for when, rule in RULES.items())
    print(f"kind 6 negatives: {len(WRITER_NEGATIVES)}; wrongly flagged {figures}")


def collection(path: Path, show: int) -> None:
    sentences = []
    for document in json.loads(path.read_text(encoding="utf-8")):
        text = f"{document.get('title', '')}\n{document.get('content', '')}"
        sentences.extend(split_sentences(text, detect_language(text)))
    flagged = {when: [s for s in sentences if rule(s)] for when, rule in RULES.items()}
    figures = ", ".join(f"{when} {len(found)}" for when, found in flagged.items())
    print(f"{path}: {len(sentences)} sentences; flagged {figures}")
    for sentence in flagged["after"][:show]:
        print("  -", " ".join(sentence.split())[:200])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = shared_dir() / "fixtures" / "longeval_zh" / "long_context.json"
    parser.add_argument("--collection", type=Path, default=default)
    parser.add_argument("--show", type=int, default=50, help="flagged sentences to print")
    args = parser.parse_args()
    generated()
    collection(args.collection, args.show)


if __name__ == "__main__":
    main()
