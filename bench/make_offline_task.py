"""Build a second task folder for bench/offline_report.py: another paper, no talk, a mostly unrelated corpus.

Writes ``task.md`` (a Chinese study-report prompt naming three techniques), ``paper.pdf`` (a short English
paper on knowledge distillation, real text, laid out by examples/build_example.py's PDF writer),
``long_context.json`` (30 documents: 4 that explain the techniques, 3 that are near the topic but beside the
point, 23 unrelated ones, two of them holding junk lines) and labels (supportive / distracting / noise
per document title, written beside the folder as ``<folder>_labels.json``, read only by the bench).
Everything is original writing for this project; the authors, venue, data set and numbers are
fictional. Deterministic. Usage::

    python bench/make_offline_task.py /tmp/distill_zh
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

EXAMPLE_BUILDER = Path(__file__).resolve().parent.parent / "examples" / "build_example.py"

TASK = (
    "假设你是一名正在学习自然语言处理的学生，需要为课程撰写一份论文阅读报告。请根据我提供的论文，撰写一篇"
    "《知识蒸馏论文阅读报告》。报告需要准确概括论文的研究目标、方法与结论，并对其中涉及的关键技术（如知识蒸馏、"
    "温度缩放、数据增强等）进行清晰解释。所有技术描述应基于论文内容，必要时可引用资料库中的公开资料辅助说明，"
    "并标注来源。报告需使用正式书面语，适合初学者理解，包含以下部分：（1）论文基本信息；（2）核心内容摘要；"
    "（3）关键技术解析。字数在1200至1800字。"
)

AUTHORS = "Mara Okafor, Chen Yiling, Jonas Reiter"
PAPER_SOURCE = """
@title Small Students, Large Teachers: Distilling Chinese Text Classifiers with Augmented Transfer Sets

@center Mara Okafor (1), Chen Yiling (2), Jonas Reiter (1)

@center (1) Northfield Institute of Language Technology; (2) Lakeside University, School of Computing

@center Proceedings of the Workshop on Efficient Language Models (EffLM 2023), pp. 12-19

@small Note: an example document written for the reportgraph project. The authors, the venue, the data
set and all numbers are fictional and serve only as test material.

@h Abstract

Large pretrained classifiers are accurate but too slow for many deployments, while small models trained
from labels alone lose much of that accuracy. We study knowledge distillation for Chinese text
classification, where a six-layer student learns from a twenty-four-layer teacher. Knowledge
distillation is a training method in which a small student model is trained to match the output
distribution of a large teacher model instead of only the hard labels. We find that the transfer set
matters more than the loss: augmenting it with paraphrased and masked sentences raises student accuracy
on NewsCls-12 from 86.1 to 89.4, within 1.2 points of the teacher, at one sixth of its latency.

@h 1 Introduction

Text classification services must answer in a few milliseconds, yet the most accurate classifiers are
large pretrained encoders. Distillation promises a small model with most of the large one's accuracy.
Work on English benchmarks reports small losses, but Chinese text adds difficulties: word boundaries
are not marked, and short news titles give the student little context. This paper makes three
contributions. (1) We compare soft-label, hard-label and mixed objectives for Chinese classifiers.
(2) We show that the temperature used to soften the teacher's outputs has a broad optimum. (3) We show
that data augmentation of the transfer set closes most of the remaining gap.

@h 2 Method

2.1 Distillation objective. The student minimizes a weighted sum of the cross-entropy with the hard
labels and the Kullback-Leibler divergence between its softened output distribution and the teacher's.
The weight of the soft term is 0.7.

2.2 Temperature scaling. Temperature scaling divides the logits by a temperature T before the softmax,
so that a higher temperature gives a softer distribution that reveals how the teacher ranks the wrong
classes. We use the same temperature for teacher and student and test T from 1 to 8.

2.3 Data augmentation. Data augmentation is the practice of creating new training examples from
existing ones by label-preserving changes. We build the transfer set by adding, for each training
sentence, one back-translated paraphrase and one copy in which 15 percent of the characters are masked.
The teacher labels every new sentence, so no human annotation is needed.

@h 3 Experiments

3.1 Setup. NewsCls-12 has 120,000 news titles in 12 classes. The teacher is a 24-layer encoder with an
accuracy of 90.6; the student has 6 layers and 22 million parameters.

3.2 Results. Trained on hard labels alone, the student reaches 86.1. Distillation with T = 4 raises it
to 88.0, and the augmented transfer set to 89.4. Temperatures between 3 and 6 give results within 0.3
points of each other, while T = 1 gives 86.9. The student answers in 4 ms per title, the teacher in 25 ms.

@h 4 Conclusion

We find that a small Chinese classifier can keep almost all of a large teacher's accuracy when it is
distilled on an augmented transfer set. The temperature needs little tuning. Our study uses one data set
of short texts, and longer documents may behave differently, which we leave for future work.

@h References

@ref [1] G. Hinton, O. Vinyals and J. Dean. Distilling the knowledge in a neural network. 2015.
"""

SUPPORTIVE = {
    "知识蒸馏入门": "知识蒸馏是一种模型压缩方法，指用一个大型教师模型的输出来训练一个较小的学生模型。"
    "学生模型学习的不只是正确标签，还有教师模型给出的各类别概率，这些概率包含类别之间相似程度的信息。"
    "经过蒸馏，小模型往往能以更低的推理成本达到接近大模型的效果。",
    "Softmax 与温度参数": "温度缩放是指在 softmax 之前把模型输出的 logits 除以一个温度参数。"
    "温度越高，得到的概率分布越平滑，较小的概率也会被放大。在知识蒸馏中，较高的温度可以让学生模型看到教师模型"
    "对错误类别的排序。",
    "文本数据增强方法综述": "数据增强是指通过对已有样本做保持标签不变的变换来生成新的训练样本。"
    "常见的文本数据增强方法包括同义词替换、回译和随机遮盖。数据增强可以缓解训练数据不足的问题。",
    "模型压缩的几种思路": "模型压缩的常见思路包括剪枝、量化和知识蒸馏。剪枝去掉不重要的参数，"
    "量化降低参数的数值精度，知识蒸馏则训练一个更小的模型去模仿大模型。",
}
DISTRACTING = {
    "图像分类中的卷积网络": "卷积神经网络通过卷积层提取图像的局部特征，再经过池化层和全连接层完成分类。"
    "经典模型包括 LeNet、AlexNet 和 ResNet。",
    "新闻标题的写作技巧": "好的新闻标题应当简洁、准确，并突出新闻中最重要的信息。标题一般不超过二十个字。",
    "教师培训计划通知": "本学期的教师培训计划分为三个阶段，第一阶段为课堂教学观摩，第二阶段为教学设计研讨。",
}
NOISE = {
    "清蒸鲈鱼的做法": "鲈鱼洗净后在鱼身两面划几刀，放上姜丝和葱段，水开后蒸八分钟，淋上蒸鱼豉油即可。",
    "北岭古道徒步记": "北岭古道全长约十二公里，沿途有三座石桥和一处清代凉亭，秋季红叶最为好看。",
    "家庭阳台养鸡的注意事项": "在阳台养鸡需要注意通风和清洁，每天清理鸡粪，并保证饮水充足。",
    "青柳镇的节庆习俗": "青柳镇每年农历三月举行灯会，镇上的居民会在河边放灯祈福。",
    "如何挑选跑步鞋": "挑选跑步鞋时应考虑脚型、跑步距离和路面类型，最好在下午试穿。",
    "The Lighthouse at Brannock Point": "The lighthouse at Brannock Point was built in 1871 and guided "
    "fishing boats into the harbour for over a century before it was automated.",
    "Growing Basil Indoors": "Basil grows well indoors on a bright windowsill. Water it when the top of "
    "the soil is dry and pinch off flower buds to keep the leaves coming.",
    "A Short Guide to Tide Pools": "Tide pools form where the sea leaves water behind in rocky hollows at "
    "low tide. Anemones, crabs and small fish live in them.",
    "老式座钟的保养": "老式座钟每周上一次发条即可，不要上得过紧，并定期请人清洗机芯。",
    "城市公园的夜间照明": "城市公园的夜间照明应兼顾安全与节能，步道照明宜采用低色温灯具。",
    "手工皂制作入门": "制作手工皂需要油脂、氢氧化钠和水，操作时要佩戴手套和护目镜。",
    "明代青花瓷的纹样": "明代青花瓷常见的纹样有缠枝莲、松竹梅和龙凤，早期用色浓艳，晚期趋于淡雅。",
    "Caring for a Cast Iron Pan": "Dry a cast iron pan right after washing and rub in a thin layer of oil "
    "so that it does not rust.",
    "羽毛球入门动作要领": "羽毛球握拍分为正手握拍和反手握拍，击球时要用手腕发力。",
    "A Walk Through Old Harlow Market": "Old Harlow Market has sold fish, bread and cloth on the same "
    "square since the fourteenth century.",
    "冬季自驾出行准备": "冬季自驾出行前应检查防冻液和轮胎，并随车携带防滑链和保暖衣物。",
    "家用净水器的选择": "选择净水器时要先了解当地水质，再决定选用超滤还是反渗透类型。",
    "古琴的基本构造": "古琴由面板和底板组成，共有七根弦和十三个徽位。",
    "How Bees Make Honey": "Worker bees collect nectar, store it in the hive and fan it with their wings "
    "until most of the water has evaporated.",
    "小区垃圾分类指南": "小区垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类。",
    "观鸟社团招新": "欢迎加入观鸟社团！【加好友申请格式：姓名+学院+年级】，扫码进群了解活动安排。",
    "开源数据集发布说明": "本数据集收录了十万条城市天气记录。如果您使用了我们的数据集，请引用我们的论文。",
    "The History of the Paper Clip": "Many designs for bent wire paper clips were patented in the late "
    "nineteenth century; the familiar double loop was never patented.",
}


def build_paper(path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_example", EXAMPLE_BUILDER)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    paper = builder.parse_paper(PAPER_SOURCE)
    # The builder's PDF writer reads these module globals; the rest of it (the talk) is not used here.
    vars(builder).update(PAPER=paper, PAPER_TITLE=paper[0][1], PAPER_AUTHORS=AUTHORS)
    builder.build_pdf(path)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "distill_zh")
    out.mkdir(parents=True, exist_ok=True)
    (out / "task.md").write_text(TASK + "\n", encoding="utf-8")
    build_paper(out / "paper.pdf")
    groups = {"supportive": SUPPORTIVE, "distracting": DISTRACTING, "noise": NOISE}
    docs = [{"title": t, "url": f"https://example.org/{i}", "content": c}
            for i, (t, c) in enumerate(sorted((t, c) for g in groups.values() for t, c in g.items()))]
    (out / "long_context.json").write_text(json.dumps(docs, ensure_ascii=False, indent=1), encoding="utf-8")
    labels = {"labels": {title: label for label, group in groups.items() for title in group}}
    beside = out.with_name(f"{out.name}_labels.json")  # outside the folder: the product never reads it
    beside.write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"task folder written to {out}")


if __name__ == "__main__":
    main()
