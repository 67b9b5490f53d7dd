"""Planted defects: the validator flags every defective variant of a passing report and passes the original.

Originals: reports the real pipeline writes offline for the bundled example (video analysed, and video
broken), the shared LongEval task in Chinese and in English, and hand-written model-style reports (prose
with ``[@id]`` citations) built from the registry. From each, ``faults.defects`` makes variants of every
defect kind in the issue. The terminal summary prints
``planted defects: N variants, N flagged, 0 missed; originals: K passed``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest
from faults.defects import Original, Tally, Variant, all_variants
from faults.harness import show_at_end
from faults.inputs import EXAMPLE, example_documents, write_corpus
from langgraph.checkpoint.memory import InMemorySaver
from reportgraph.graph.graph import build_graph
from reportgraph.nodes.validate import assemble
from reportgraph.prompts.drafting import REPORT_NOTE
from reportgraph.tools.chunking import ChunkingSettings, chunk_document
from reportgraph.tools.corpus import load_corpus
from reportgraph.tools.extractive import usable
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.spec import RequirementSpec, parse_requirements
from reportgraph.tools.text import count_length, detect_language, split_sentences

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
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("planted-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORTGRAPH_CACHE_DIR", str(path))
        yield path


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
    # A 20 s video budget keeps the suite quick; the analysis is then partial and the report says so.
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
        markdown=assemble(state),  # type: ignore[arg-type]
        spec=RequirementSpec.model_validate(state["spec"]),
        registry=state["sources"],
        drafting_mode=state["drafting_mode"],
        video_status=video.get("status", "absent"),
        video_disclosure=video.get("disclosure", ""),
        section_budgets={item["index"]: item["budget"] for item in state["outline"]},
    )
    return original, state


def copy_folder(source: Path, target: Path, files: dict[str, Path | None]) -> Path:
    """A real copy of a task folder (intake refuses symlinks); ``files`` replaces (or, with None, drops) some."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and "sampled" not in item.name and item.name not in files:
            shutil.copy(item, target / item.name)
    for name, replacement in files.items():
        if replacement is not None:
            shutil.copy(replacement, target / name)
    return target


# ---------------------------------------------------------------- hand-written originals


def cited_sentence(record: SourceRecord, sentence: str, lead_in: str) -> str:
    """A sentence with its citation before the final stop, as a model writes it."""
    stop = sentence[-1] if sentence[-1] in "。.!?！？" else ""
    body = sentence[:-1] if stop else sentence
    return f"{lead_in}{body}[@{record.id}]{stop or ('。' if detect_language(sentence) == 'zh' else '.')}"


def prose(records: list[SourceRecord], language: str, budget: int, unit: str) -> str:
    """Paragraphs of three cited sentences from ``records`` (taken in turns), about ``budget`` units long."""
    pools = [
        [s for s in split_sentences(r.text) if usable(s, unit) and detect_language(s) == language]  # type: ignore[arg-type]
        for r in records
    ]
    order = [(record, pool) for record, pool in zip(records, pools, strict=True) if pool]
    sentences: list[str] = []
    lead_ins = cycle(LEAD_INS[language])
    length = 0
    while length < budget and any(pool for _, pool in order):
        for record, pool in order:
            if pool and length < budget:
                sentence = cited_sentence(record, pool.pop(0), next(lead_ins))
                sentences.append(sentence)
                length += count_length(sentence, unit)  # type: ignore[arg-type]
    joiner = "" if language == "zh" else " "
    return "\n\n".join(joiner.join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


def handwritten(
    name: str,
    spec: RequirementSpec,
    sources: dict[int, list[SourceRecord]],
    registry: dict[str, dict[str, Any]],
    video_status: str = "absent",
    disclosure: str = "",
) -> Original:
    assert spec.length is not None
    unit = spec.length.unit
    title = spec.title or ("研究报告" if spec.language == "zh" else "Report")
    parts = [f"# {title}", REPORT_NOTE[spec.language]["llm"]]
    budget = spec.length.target // len(spec.sections)
    for section in spec.sections:
        parts.append(f"## {section.heading}")
        if section.focus == "video" and disclosure:
            parts.append(f"> {disclosure}")
        parts.append(prose(sources[section.index], spec.language, budget, unit))
    return Original(
        name,
        "\n\n".join(parts) + "\n",
        spec,
        registry,
        "llm",
        video_status,  # type: ignore[arg-type]
        disclosure,
        {s.index: budget for s in spec.sections},
    )


def handwritten_en(en: Original, video_failed: bool) -> Original:
    records = [SourceRecord.model_validate(r) for r in en.registry.values()]
    paper = [r for r in records if r.kind == "pdf"]
    talk = [r for r in records if r.kind == "video" and r.segment != "metadata"]
    if video_failed:
        registry = {k: v for k, v in en.registry.items() if v["kind"] != "video"}
        written = [r for r in records if r.kind != "video"]
        sources = {s.index: written[s.index - 1 :: len(en.spec.sections)] for s in en.spec.sections}
        return handwritten(
            "hand-written (en), video failed", en.spec, sources, registry, "failed", FAILED_VIDEO_DISCLOSURE
        )
    sources = {
        s.index: (talk + paper[-4:] if s.focus == "video" else paper[s.index - 1 :: 3])
        for s in en.spec.sections
    }
    return handwritten(
        "hand-written (en)",
        en.spec,
        sources,
        dict(en.registry),
        en.video_status,
        en.video_disclosure if en.video_status in ("failed", "partial") else "",
    )


def handwritten_zh(root: Path) -> Original:
    folder = root / "zh-corpus"
    folder.mkdir()
    write_corpus(folder, [d for d in example_documents() if detect_language(d["content"]) == "zh"])
    corpus = folder / "long_context.json"
    records = [
        r
        for doc in load_corpus(corpus).documents
        for r in chunk_document(doc, ChunkingSettings(), corpus.name)
    ]
    spec = parse_requirements(ZH_TASK)
    count = len(spec.sections)
    sources = {s.index: records[s.index - 1 :: count] for s in spec.sections}
    return handwritten("hand-written (zh)", spec, sources, {r.id: r.model_dump(mode="json") for r in records})


@pytest.fixture(scope="module")
def originals(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> list[Original]:
    root = tmp_path_factory.mktemp("originals")
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
    found = {name: pipeline_run(name, folder, root, cache_dir)[0] for name, folder in folders.items()}
    en = found["longeval (en)"]
    for original in (
        handwritten_en(en, video_failed=False),
        handwritten_en(en, video_failed=True),
        handwritten_zh(root),
    ):
        found[original.name] = original
    return list(found.values())


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
            failures[original.name] = [f"{c.name}: {c.detail}" for c in result.failed]
    assert not failures, failures
    assert {o.video_status for o in originals} >= {"failed", "partial"}
    assert {o.drafting_mode for o in originals} == {"llm", "extractive"}
    assert {o.language for o in originals} == {"zh", "en"}


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
