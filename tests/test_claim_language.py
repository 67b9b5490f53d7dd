"""Issue 24: the support and substance checks follow the language of a careful writer, on sentences of our
own (a bakery survey, a river study, a board-game paper), not the labelled reports' sentences.

Each kind: numbers in other notations and scripts, labels that are not claims, numbered terms, a clause's
number placed in the whole cited unit, names against the unit's title, the report's subject, same-language
paraphrase by meaning, facets in bold-label and prose forms. Each test also shows the defect of its kind
still caught."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from reportgraph.tools.checking.alignment import assess, latin_terms, missing_terms, subject_terms
from reportgraph.tools.checking.quantities import (
    REFERENCE_KINDS,
    claimed,
    matches,
    numbered_terms,
    stated,
    without_labels,
)
from reportgraph.tools.checking.support import SupportChecker
from reportgraph.tools.intake.spec.facets import SECTION_KINDS, mentions


def _found(claim: str, source: str) -> list[bool]:
    return [matches(q, stated(source)) for q in claimed(claim)]


def test_numbers_across_notations_and_scripts() -> None:
    assert _found("该平台注册用户达3130万", "The platform has 31.3M registered users.") == [True]
    assert _found("年营收约164亿元", "Revenue reached 16.4B yuan.") == [True]
    assert _found("样本共7.5万条", "The sample holds 75K records.") == [True]
    assert _found("耗电量是旧款的五倍", "It draws five times as much power as the old model.") == [True]
    assert _found("合格率为４２％", "The pass rate was 0.42.") == [True]
    assert _found("投入150万美元", "a grant of 1.5 million dollars") == [True]
    assert _found("共有一百二十篇稿件", "120 manuscripts were received") == [True]
    # a wrong figure stays wrong in any notation
    assert _found("该平台注册用户达3500万", "The platform has 31.3M registered users.") == [False]


def test_rounding_only_where_the_writer_says_so() -> None:
    assert _found("每篇文章约3000词", "articles average 3,092 words") == [True]
    assert _found("the river is about 40 km long", "The river runs 41.5 km.") == [True]
    assert _found("每篇文章3000词", "articles average 3,092 words") == [False]
    assert _found("每篇文章约5000词", "articles average 3,092 words") == [False]


def test_labels_are_not_claimed_quantities() -> None:
    assert claimed("如图2和表 3所示，Table 4 与第5节给出细节，RQ1 也据此回答") == []
    assert claimed("讲者在 03:10–03:45 演示了棋盘") == []
    assert [q.value for q in claimed("见图1：共有12种棋子")] == [12.0]


def test_numbered_terms_in_any_script() -> None:
    assert numbered_terms("评审采用7分制") == numbered_terms("reviewers used a 7-point scale")
    assert numbered_terms("过滤重复的4元组") == numbered_terms("we drop repeated 4-grams")
    assert numbered_terms("采用7分制") != numbered_terms("a 5-point scale")
    assert claimed("过滤重复的4元组") == []  # the 4 is the term's, checked as a term


def test_reference_labels_are_looked_up_in_the_unit_in_either_language() -> None:
    page = "Table 3 lists the scoring rules; Figure 2 shows a board."
    assert numbered_terms("规则列于 表3") <= numbered_terms(page)
    assert not numbered_terms("The rules are listed in Table 7.") <= numbered_terms(page)


@pytest.mark.parametrize(("kind", "word"), [(k, w) for k, words in REFERENCE_KINDS.items() for w in words])
def test_every_reference_label_is_looked_up_and_never_a_quantity(kind: str, word: str) -> None:
    # One list: a label the checker looks up in the unit is also taken off the claim's numbers.
    for written in (f"细节见 {word}12。", f"Details are in {word.title()} 12."):
        assert numbered_terms(written) == {("12", kind)} and claimed(written) == []


def test_years_inside_names() -> None:
    assert _found("发表于 SIGBOARD 2019", "Proceedings of SIGBOARD2019") == [True]


_BAKERY_PAGE = (
    "We surveyed 240 customers of the Millbrook bakery in spring. "
    "Most visits happen before nine in the morning. "
    "The bakery employs 14 staff across two shifts. "
    "Rye loaves make up 35% of weekly sales."
)


def test_claim_joining_two_facts_of_one_page_is_checked_against_the_page() -> None:
    checker = SupportChecker()
    joined = "The bakery employs 14 staff, and rye loaves make up 35% of weekly sales."
    assert assess(checker, joined, _BAKERY_PAGE).outcome == "supported"
    wrong = "The bakery employs 240 staff, and rye loaves make up 35% of weekly sales."
    assert assess(checker, wrong, _BAKERY_PAGE).outcome == "unsupported"


def test_names_against_the_units_title_and_separators() -> None:
    source = "The model segments soil images; its error is 3.1 % on the field set."
    claim = "SoilNet的误差为3.1%。"
    assert missing_terms(claim, source) == ["SoilNet"]
    assert missing_terms(claim, "SoilNet: segmenting soil images\n" + source) == []
    assert missing_terms("它的指标名为GraphRank", "we report graph_rank for each node") == []
    assert missing_terms("它的指标名为PageScore", "we report graph_rank for each node") == ["PageScore"]


def test_the_reports_subject_is_not_asked_of_every_passage() -> None:
    checker = SupportChecker()
    source = "Players taught by a video finished their first game 12 minutes faster."
    claim = "In its study, Tabletutor found that players taught by a video finished 12 minutes faster."
    assert assess(checker, claim, source).outcome == "unsupported"
    subject = subject_terms("Tabletutor: teaching board games by video")
    assert "teaching" not in subject and "board" not in subject  # ordinary title words stay checked
    assert assess(checker, claim, source, subject=subject).outcome == "supported"
    other = "In its study, Rulebot found that players taught by a video finished 12 minutes faster."
    assert assess(checker, other, source, subject=subject).outcome == "unsupported"


def test_a_name_is_not_refuted_by_a_source_written_in_another_script() -> None:
    # a Chinese page writes the name transliterated; a Latin name cannot be looked up in it
    claim = "The imitation game was proposed by Turing."
    assert missing_terms(claim, "图灵提出了模仿游戏，用来判断机器能否思考。") == []
    assert missing_terms(claim, "The imitation game asks whether a machine can think.") == ["Turing"]


def _concept_embedder(concepts: dict[str, tuple[str, ...]]):
    """A stand-in embedder: one dimension per concept, set when any of its words occurs (both languages),
    so two sentences are similar exactly when they speak of the same things."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        rows = [[1.0 if any(w in t.lower() for w in words) else 0.0 for words in concepts.values()] + [0.1]
                for t in texts]
        return np.asarray(rows, dtype=np.float32)

    return embed


def test_same_language_paraphrase_is_judged_by_meaning() -> None:
    concepts = {"flood": ("洪水", "涨水", "泛滥"), "village": ("村庄", "村落", "村子"),
                "spring": ("春季", "春天"), "bridge": ("桥梁", "大桥")}
    checker = SupportChecker(_concept_embedder(concepts))
    source = "每年春季河水泛滥，沿岸村落常被淹没。"
    paraphrase = "春天一到，洪水就会漫进河边的村庄。"  # few shared characters, same meaning
    assert assess(checker, paraphrase, source).outcome == "supported"
    unrelated = "新建的大桥让两岸交通更加便利。"
    assert assess(checker, unrelated, source).outcome == "unsupported"


def test_facets_in_bold_label_and_prose_forms() -> None:
    facets = {f.name: f for f in SECTION_KINDS["basic_information"][1] + SECTION_KINDS["summary"][1]}
    authors, goal = facets["authors"], facets["goal"]
    assert mentions(authors, "作者：Maren Olsen、Tobias Reyes")  # "**作者**：…" read as label + value
    assert mentions(authors, "本书共有两位作者，依次为 Maren Olsen 和 Tobias Reyes")
    assert not mentions(authors, "作者在第三章中提出了新的计分规则")  # names no one
    assert mentions(goal, "本研究要解决的问题是新手为何难以记住规则")
    assert not mentions(goal, "实验共招募了四十名玩家")


def test_bold_label_sentence_counts_with_its_heading() -> None:
    from reportgraph.tools.checking.report import sentences_of

    found = sentences_of("- **作者**：Maren Olsen、Tobias Reyes [@p1]\n", 1)
    assert found and found[0].heading == "作者"
    authors = next(f for f in SECTION_KINDS["basic_information"][1] if f.name == "authors")
    assert not mentions(authors, found[0].heading) and mentions(authors, found[0].heading + found[0].text)


def test_without_labels_keeps_positions() -> None:
    text = "如表2所示，准确率为91%"
    assert len(without_labels(text)) == len(text)


@pytest.mark.parametrize(("claim", "names"), [
    ("Slide: “冷链断点集中在最后一公里”", set()),  # the writer's label on a Chinese quote
    ("Note: the survey covered 40 depots", set()),
    ("ColdTrack: 一套冷链监测系统", {"ColdTrack"}),  # a coined name before a colon is still a name
    ("Source material: Hamburg port records", {"Hamburg"}),
])
def test_a_label_opening_a_sentence_is_no_name(claim: str, names: set[str]) -> None:
    assert latin_terms(claim) == names
