"""Build a second evidence task for bench/coverage.py: a paper on building physics, laid out unlike the
fixture, a collection unrelated to it, a Chinese task with other section kinds, and its key-point rubric.

Writes ``task.md`` (sections: basic information, research method, main results and conclusions,
limitations), ``paper.pdf`` (examples/build_example.py's PDF writer; the venue printed above the title, one
author a line with a bracketed affiliation mark, no Author in the document information, so page 1 alone
tells who wrote it), ``long_context.json`` (24 short documents on cooking, travel, crafts and local news,
one with wiki reference markers) and, beside the folder, ``<folder>_rubric.jsonl`` (the form of
``$REPORTGRAPH_SHARED/eval/rubrics/README.md``) and ``<folder>_labels.json`` (every collection document
is noise). :data:`THIRD_PAPER` is one more layout (authors on one line with letter marks, the venue in a
footnote) for the page-1 tests. All text is original and fictional. Deterministic. Usage::

    python bench/make_second_task.py /tmp/cool_roofs_zh
    reportgraph run /tmp/cool_roofs_zh -o /tmp/cool-out --llm off
    python bench/coverage.py /tmp/cool-out --rubric /tmp/cool_roofs_zh_rubric.jsonl \\
        --labels /tmp/cool_roofs_zh_labels.json
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

EXAMPLE_BUILDER = Path(__file__).resolve().parent.parent / "examples" / "build_example.py"

TASK = (
    "假设你是建筑环境专业的一名研究生，需要为文献研讨课撰写一份论文研读报告。请阅读我提供的论文，撰写一篇"
    "《屋顶降温论文研读报告》。报告应说明论文的研究问题，如实介绍作者的测量方法与实验设计，概括主要结果与结论，"
    "并指出论文自身承认的局限。所有内容须基于论文，可参考资料库，但须标注来源。报告使用正式书面语，包含以下部分："
    "（1）论文基本信息；（2）研究方法；（3）主要结果与结论；（4）局限与展望。字数在1500至2200字。"
)

SECOND_PAPER = """
@small Journal of Applied Building Physics, Vol. 12, No. 3 (2022), pp. 88-101

@title White Roofs in Dense Housing: A Two-Summer Field Study of Indoor Heat in Top-Floor Flats

@center Amara Nwosu (1)

@center Tobias Lindqvist (2)

@center Rosa Ferreira-Lang (1)

@center (1) Southgate Institute of Building Science; (2) Harrowfield University, School of Architecture

@h Abstract

Top-floor flats under dark roofs overheat in summer, and their residents are often the least able to pay
for cooling. We report a field study of reflective white roof coatings on 14 five-storey blocks in a dense
housing estate, measured over two summers. Coating raised the roof's solar reflectance from 0.18 to 0.81
and lowered the mean peak indoor temperature of top-floor flats by 1.9 degrees, while flats two floors
below changed by less than 0.3 degrees.

@h 1 Introduction

Heat waves are becoming longer, and dwellings under the roof carry most of the burden. Cool roofs are
cheap to apply, yet most evidence comes from simulations or single test buildings. This study asks how
much a white coating changes indoor temperatures in occupied flats, whether the effect reaches lower
floors, and how long the coating keeps its reflectance.

@h 2 Method

Study design. We used a before-and-after design with control blocks. Of 28 similar blocks, 14 were
coated in May of the second summer and 14 stayed as they were. Blocks were paired by orientation and
shading before the coin toss that decided which one of each pair was coated.

Measurements. Each of 112 flats received a logger that recorded air temperature every 10 minutes at 1.1 m
above the floor in the living room. Roof surface temperature was measured with embedded thermocouples,
and solar reflectance was measured with a portable albedometer at nine points per roof each month.

Analysis. The main outcome was the daily peak indoor temperature. We fitted a difference-in-differences
model with the outdoor peak temperature, the day of the week and the flat as covariates. Days with a
logger outage were dropped, which removed 4 percent of flat-days.

@h 3 Results

Reflectance and roof temperature. The coating raised the roof's solar reflectance from 0.18 to 0.81 on
the day it was applied. At noon on clear days the coated roof surfaces were 24 degrees cooler than
untreated ones.

Indoor temperature. In top-floor flats, the coating lowered the mean daily peak indoor temperature by
1.9 degrees (95 percent interval 1.5 to 2.3). Hours above 30 degrees fell by 38 percent. Flats two floors
below the roof changed by less than 0.3 degrees, an effect we could not tell from zero.

Ageing. Dust and rain lowered the reflectance to 0.66 after twelve months, and the cooling effect in the
second half of the summer was about a quarter smaller than in the first half.

@h 4 Conclusion

We conclude that white roof coatings are a low-cost way to protect top-floor residents during heat
waves, but that they do little for the floors below and need cleaning or recoating to keep their effect.

@h Limitations

The study covers one estate in one climate, so the effect may differ under other roofs and weather. The
occupants' own use of fans and windows was not recorded, and it may have changed with the coating. Two
summers are too short to say how the coating ages beyond its first year.

@h References

@ref [1] H. Akbari and R. Levinson. Evolution of cool-roof standards in the US. Advances in Building
Energy Research, 2008.
"""

THIRD_PAPER = """
@title Counting Seagrass from the Air: Drone Surveys of Shallow Meadows

@center Henrik Dahl a, Sofia Marquez b, Wei Jun a

@center a Coastal Ecology Laboratory, Norrvik University; b Marine Research Center of Alcudia

@h Abstract

We compare drone photographs with diver transects for mapping seagrass cover in water shallower than four
metres. Over 36 sites, drone estimates agreed with divers within 6 percent cover on average.

@h 1 Introduction

Divers count seagrass slowly and at high cost. Drones can cover a bay in an hour, but glare and turbid
water hide the bottom.

@small Published in: Proceedings of the 9th International Symposium on Coastal Ecology (ISCE 2021),
Lisbon, June 14-18, 2021.
"""

# The second task's key points: section (1-based, task.md's order), anchors copied from SECOND_PAPER.
RUBRIC = [
    ("cr-01", 1, 2, ["White Roofs in Dense Housing"]),
    ("cr-02", 1, 2, ["Amara Nwosu", "Tobias Lindqvist", "Rosa Ferreira-Lang"]),
    ("cr-03", 1, 1, ["Southgate Institute of Building Science"]),
    ("cr-04", 1, 2, ["Journal of Applied Building Physics", "2022"]),
    ("cr-05", 2, 2, ["Of 28 similar blocks, 14 were", "coin toss"]),
    ("cr-06", 2, 2, ["112 flats", "every 10 minutes"]),
    ("cr-07", 2, 1, ["portable albedometer", "nine points per roof"]),
    ("cr-08", 2, 2, ["difference-in-differences", "4 percent of flat-days"]),
    ("cr-09", 3, 2, ["from 0.18 to 0.81", "24 degrees cooler"]),
    ("cr-10", 3, 2, ["1.9 degrees", "38 percent"]),
    ("cr-11", 3, 2, ["less than 0.3 degrees"]),
    ("cr-12", 3, 1, ["0.66 after twelve months"]),
    ("cr-13", 3, 1, ["low-cost way to protect top-floor residents"]),
    ("cr-14", 4, 2, ["one estate in one climate"]),
    ("cr-15", 4, 1, ["use of fans and windows was not recorded"]),
    ("cr-16", 4, 1, ["Two", "summers are too short"]),
]

# An unrelated collection (all noise for this task); the first document carries wiki reference markers.
COLLECTION = {
    "石桥村的庙会": "石桥村的庙会在每年农历二月举行，村民会搭戏台唱三天大戏。[1][2] "
    "庙会上有糖画和面人。[来源请求]",
    "腌制酸菜的方法": "把洗净的白菜晾干后层层码入缸中，每层撒盐压实，加凉开水没过菜面，二十天后即可食用。",
    "山地自行车的保养": "每次骑行后应清洁链条并上油，定期检查刹车片厚度和轮胎气压。",
    "纸风筝的扎法": "用竹篾扎出骨架，糊上皮纸，尾部系上纸条保持平衡。",
    "社区合唱团招募启事": "社区合唱团每周四晚排练，欢迎热爱唱歌的居民报名，无需基础。",
    "如何冲泡乌龙茶": "乌龙茶宜用九十五度左右的水冲泡，第一泡快速出汤，用于温杯醒茶。",
    "旧书市集见闻": "周末的旧书市集上摆满了上世纪的连环画和期刊，不少摊主熟悉每本书的来历。",
    "种植番茄的要点": "番茄喜光，需要搭架并及时打掉侧枝，坐果后注意补充钾肥。",
    "湖边露营须知": "湖边露营要远离水位线扎营，夜间注意防潮，垃圾须全部带走。",
    "剪纸艺术简介": "剪纸是用剪刀或刻刀在纸上剪刻花纹的民间艺术，常用于节日装饰。",
    "猫咪换季掉毛怎么办": "猫咪换季时掉毛较多，每天梳毛可以减少毛球，并适当补充鱼油。",
    "围棋入门规则": "围棋双方轮流落子，围住的空点多者获胜，提子后不能立即回提形成循环。",
    "The Old Mill at Fenwick": "The old mill at Fenwick ground corn for the village until 1932 and now "
    "houses a small museum of farm tools.",
    "Knitting a First Scarf": "Cast on thirty stitches with medium yarn and knit every row; the garter "
    "stitch will not curl at the edges.",
    "Tips for Night Fishing": "Bring a head torch with a red light, and fish the shallows where small fish "
    "gather after dark.",
    "A Guide to Sourdough Starters": "Feed the starter equal weights of flour and water every day until it "
    "doubles within eight hours of a feeding.",
    "Birdwatching in Winter Marshes": "Winter marshes draw geese and harriers; a telescope helps on open "
    "water where birds keep their distance.",
    "Repairing a Bicycle Puncture": "Find the hole by listening for air, roughen the tube around it, and "
    "press the patch on firmly for a minute.",
    "家庭药箱整理": "家庭药箱应分类存放常用药品，定期检查有效期，过期药品要及时处理。",
    "书法用笔的讲究": "书法用笔讲究中锋行笔，起笔藏锋，收笔回锋。",
    "城市夜跑路线推荐": "沿河步道光线充足、车辆较少，适合夜跑，全程约八公里。",
    "The Festival of Lanterns in Harwick": "Every autumn the town of Harwick floats paper lanterns down "
    "the river in memory of its fishermen.",
    "折叠自行车选购": "选购折叠自行车要看折叠后的尺寸和重量，以及车架的材质。",
    "Making Plum Jam": "Cook the plums with half their weight of sugar until a drop sets on a cold plate.",
}


def load_builder() -> object:
    """examples/build_example.py as a module (its PDF writer)."""
    spec = importlib.util.spec_from_file_location("build_example", EXAMPLE_BUILDER)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    return builder


def build_paper(source: str, path: Path) -> None:
    """Lay out ``source`` (the builder's block syntax) as a PDF with no Author in its document information."""
    builder = load_builder()
    paper = builder.parse_paper(source)  # type: ignore[attr-defined]
    title = next(text for kind, text in paper if kind == "title")
    # The builder's PDF writer reads these module globals; an empty Author leaves page 1 as the only source.
    vars(builder).update(PAPER=paper, PAPER_TITLE=title, PAPER_AUTHORS="")
    builder.build_pdf(path)  # type: ignore[attr-defined]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "cool_roofs_zh")
    out.mkdir(parents=True, exist_ok=True)
    (out / "task.md").write_text(TASK + "\n", encoding="utf-8")
    build_paper(SECOND_PAPER, out / "paper.pdf")
    docs = [{"title": t, "url": f"https://example.net/{i}", "content": c}
            for i, (t, c) in enumerate(sorted(COLLECTION.items()))]
    (out / "long_context.json").write_text(json.dumps(docs, ensure_ascii=False, indent=1), encoding="utf-8")
    rubric = [{"id": i, "section": s, "point": " / ".join(a), "sources": [{"file": "paper.pdf"}],
               "anchors": a, "weight": w} for i, s, w, a in RUBRIC]
    beside = out.parent
    (beside / f"{out.name}_rubric.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in rubric), encoding="utf-8")
    labels = {"labels": dict.fromkeys(COLLECTION, "noise")}
    (beside / f"{out.name}_labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    print(f"task folder written to {out}")


if __name__ == "__main__":
    main()
