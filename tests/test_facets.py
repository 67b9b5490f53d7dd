"""Facets: what the task's own words and the table of section kinds ask each section to explain."""

from __future__ import annotations

import pytest
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.intake.spec.facets import mentions, section_facets, task_terms

TASK = (
    "请概括论文的研究目标、方法与结论，并对其中涉及的重要技术（如稀疏注意力、位置编码等）进行清晰解释。"
    "包含以下部分：（1）论文基本信息；（2）核心内容摘要；（3）关键技术解析；（4）视频补充要点。"
)


def spec() -> RequirementSpec:
    titles = ["论文基本信息", "核心内容摘要", "关键技术解析", "视频补充要点"]
    return RequirementSpec(
        language="zh",
        sections=[
            SectionRequirement(
                index=i, title=t, heading=f"（{i}）{t}", focus="video" if i == 4 else "general"
            )
            for i, t in enumerate(titles, start=1)
        ],
    )


def test_task_terms_go_to_the_section_that_shares_their_words() -> None:
    assert [term for term, _ in task_terms(TASK)] == ["稀疏注意力", "位置编码"]
    facets = section_facets(spec(), TASK)
    assert [f.name for f in facets[3]] == ["稀疏注意力", "位置编码"]
    assert all(f.kind == "task_term" and f.min_sentences == 2 for f in facets[3])


def test_section_kinds_bring_their_table_facets() -> None:
    facets = section_facets(spec(), TASK)
    assert [f.name for f in facets[1]] == ["title", "authors", "venue", "year"]
    assert [f.name for f in facets[2]] == ["goal", "method", "conclusions"]
    assert facets[4][0].evidence == "video_time_range"


def test_an_english_list_is_read_too() -> None:
    terms = task_terms("Explain the key techniques, such as beam search, nucleus sampling and distillation.")
    assert [term for term, _ in terms] == ["beam search", "nucleus sampling", "distillation"]


def test_authors_need_names_not_the_word_alone() -> None:
    authors = section_facets(spec(), TASK)[1][1]
    assert mentions(authors, "作者：Ada Lovelace、Alan Turing")
    assert not mentions(authors, "作者单位：某某大学、某研究所")
    assert not mentions(authors, "作者公开了数据、模板和软件")


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("Explain the key concepts it relies on (long-form summarization, faithfulness, human evaluation).",
         ["long-form summarization", "faithfulness", "human evaluation"]),
        ("请解释其中的关键概念（稀疏检索、稠密检索和重排序）。", ["稀疏检索", "稠密检索", "重排序"]),
        ("对其中涉及的重要技术（如长文本摘要、忠实性评估、人工评估等）进行清晰解释。",
         ["长文本摘要", "忠实性评估", "人工评估"]),
        ("Explain the method in plain words (about 500 words, formal tone).", []),
    ],
)
def test_bracketed_lists_of_concepts_become_task_terms(task: str, expected: list[str]) -> None:
    assert [term for term, _ in task_terms(task)] == expected
