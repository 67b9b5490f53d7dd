"""The one sentence segmenter (tools/text.py): Chinese, English, and both in one text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportgraph.tools.text import sentence_pieces, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Prior work (Liu et al., 2022) covers CNN/DM. As Liu et al. (2022) show, it works. Next.",
            ["Prior work (Liu et al., 2022) covers CNN/DM.", "As Liu et al. (2022) show, it works.", "Next."],
        ),
        (
            "Accuracy was 88.6%. See Fig. 3 for v2.0 results. The U.S. team agreed.",
            ["Accuracy was 88.6%.", "See Fig. 3 for v2.0 results.", "The U.S. team agreed."],
        ),
        (
            'He said "It works." Then Dr. Smith left, e.g. at noon.',
            ['He said "It works."', "Then Dr. Smith left, e.g. at noon."],
        ),
        (
            "他说：“这是真的。”然后离开了。价格是3.5元！对吗？好的",
            ["他说：“这是真的。”", "然后离开了。", "价格是3.5元！", "对吗？", "好的"],
        ),
        (
            "AlignScore 由 Zha et al. 提出。它在 SummaC 上得分 88.6。Then it was used. 最后一句。",
            [
                "AlignScore 由 Zha et al. 提出。",
                "它在 SummaC 上得分 88.6。",
                "Then it was used.",
                "最后一句。",
            ],
        ),
        ("标题\n第一段。\n\nSecond line", ["标题", "第一段。", "Second line"]),
    ],
    ids=["et-al", "decimals-fig-abbrev", "quotes-en", "quotes-zh", "mixed", "lines"],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_pieces_keep_every_character() -> None:
    text = "  Leading space. Fig. 2 shows it.\n第一句。  第二句！\n\n  code = 1  \nEnd"
    pieces = sentence_pieces(text)
    assert "".join(pieces) == text
    assert len(pieces) >= 5


def test_language_selects_the_rules() -> None:
    german = "Das ist z. B. ein Satz. Hier folgt der zweite."
    assert split_sentences(german, "de") == ["Das ist z. B. ein Satz.", "Hier folgt der zweite."]
    assert split_sentences("Mr. Smith came. He left.", "xx") == ["Mr. Smith came.", "He left."]


def test_real_paper_and_corpus_keep_citations_and_quotes_whole(shared_dir: Path) -> None:
    """On the fixture paper's text layer and its Chinese corpus: no cut after an abbreviation, no
    sentence that starts with a closing quote."""
    from reportgraph.tools.intake.pdf import extract_pdf

    fixture = shared_dir / "fixtures" / "longeval_zh"
    pages = extract_pdf(fixture / "pdf.pdf").pages[:6]
    english = [s for page in pages for s in split_sentences(page, "en")]
    assert len(english) > 100
    assert not [s for s in english if s.endswith(("et al.", "Fig.", "e.g.", "i.e.", "Table"))]
    corpus = json.loads((fixture / "long_context.json").read_text(encoding="utf-8"))
    chinese = [s for entry in corpus[:80] for s in split_sentences(entry.get("content") or "")]
    assert len(chinese) > 500
    assert not [s for s in chinese if s.startswith(("”", "」", "』", "）"))]


def test_citation_markers_after_a_full_stop_stay_with_their_sentence() -> None:
    assert split_sentences("It works.[@pdf-1a2b3c4d-p2] Next one [@lc-2ab-3]. Last.") == [
        "It works.[@pdf-1a2b3c4d-p2]",
        "Next one [@lc-2ab-3].",
        "Last.",
    ]
    assert split_sentences("第一句。[@lc-2ab-3][@lc-3]第二句。") == ["第一句。[@lc-2ab-3][@lc-3]", "第二句。"]
