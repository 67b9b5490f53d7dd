"""`reportgraph check`: any report, in the citation forms people write, against a small task folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportgraph.graph.cli import main
from reportgraph.nodes.context import env
from stub_openai import StubOpenAI, StubRule

TASK = (
    "请根据资料库中的文献撰写一篇《检索学习笔记》，包含以下部分：（1）词法检索；（2）向量检索。"
    "字数在60至400字。所有内容需标注来源。"
)
DOCS = [
    {
        "title": "BM25 简介",
        "url": "https://example.org/bm25",
        "content": "BM25 是一种经典的词法检索打分函数。它根据词频和逆文档频率给文档打分。",
    },
    {
        "title": "稠密检索",
        "url": "https://example.org/dense",
        "content": "稠密检索把查询和文档编码为向量。它用向量的相似度来排序文档。",
    },
]
REPORT = """# 检索学习笔记

## （1）词法检索

BM25 是一种经典的词法检索打分函数[long_context: "BM25 简介", chunk 1]。
它根据词频和逆文档频率给文档打分[long_context: "BM25 简介"]。

## （2）向量检索

稠密检索把查询和文档编码为向量[long_context: "稠密检索", chunk 1]。
它用向量的相似度来排序文档[long_context: "稠密检索"]。
"""


@pytest.fixture()
def task_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCS, ensure_ascii=False), encoding="utf-8")
    return folder


def check(task_dir: Path, report: str, out: Path) -> tuple[int, dict[str, object]]:
    path = out / "report.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(report, encoding="utf-8")
    code = main(["check", str(task_dir), str(path), "-o", str(out), "--embedder", "none"])
    return code, json.loads((out / "validation.json").read_text(encoding="utf-8"))


def test_a_report_in_rendered_forms_resolves_and_says_how_each_check_was_made(
    task_dir: Path, tmp_path: Path
) -> None:
    code, validation = check(task_dir, REPORT, tmp_path / "good")
    checks = {c["name"]: c for c in validation["checks"]}  # type: ignore[union-attr]
    # Every check passes but relevance, which cannot rank two documents (issue 27: it says unverified)
    assert [name for name, c in checks.items() if not c["passed"]] == ["relevance"], validation["unmet"]
    assert code == 1 and validation["status"] == "needs_review"
    assert checks["relevance"]["figure"]["unverified"] == 4 and "could not be judged" in checks["relevance"][
        "detail"]
    assert checks["citations_resolve"]["figure"]["forms"] == {"chunk": 2, "document": 2}
    assert all(c["figure"].get("method") for c in checks.values())


def test_an_unresolvable_citation_is_needs_review(task_dir: Path, tmp_path: Path) -> None:
    broken = REPORT.replace('[long_context: "稠密检索"]', '[long_context: "不存在的文档"]')
    code, validation = check(task_dir, broken, tmp_path / "broken")
    assert code == 1 and validation["status"] == "needs_review"
    assert any("citations_resolve" in item for item in validation["unmet"])  # type: ignore[union-attr]
    # report.html beside validation.json: the citation that resolves nowhere is marked where it stands
    page = (tmp_path / "broken" / "report.html").read_text(encoding="utf-8")
    assert page.count('data-outcome="unresolved"') == 1 and "不存在的文档" in page
    assert page.count('data-outcome="supported"') == REPORT.count("[long_context:") - 1


def test_a_folder_without_a_task_is_bad_input(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text(REPORT, encoding="utf-8")
    assert main(["check", str(tmp_path / "nowhere"), str(report), "-o", str(tmp_path / "o")]) == 2


def test_an_empty_report_is_bad_input_and_writes_nothing(task_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "empty.md"
    report.write_text(" \n\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["check", str(task_dir), str(report), "-o", str(out), "--embedder", "none"]) == 2
    assert not (out / "validation.json").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030"])
def test_a_report_saved_in_another_encoding_is_checked_as_the_same_report(
    task_dir: Path, tmp_path: Path, encoding: str
) -> None:
    expected_code, expected = check(task_dir, REPORT, tmp_path / "utf8")
    path = tmp_path / "other" / "report.md"
    path.parent.mkdir()
    path.write_bytes(REPORT.encode(encoding))
    code = main(["check", str(task_dir), str(path), "-o", str(tmp_path / "other"), "--embedder", "none"])
    validation = json.loads((tmp_path / "other" / "validation.json").read_text(encoding="utf-8"))
    assert code == expected_code and validation["checks"] == expected["checks"]


def test_a_judge_outage_is_recorded_and_check_still_writes_its_report(
    task_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An English sentence on a Chinese source, no embedder: only the judge could settle it, and its endpoint
    # fails every request (HTTP 500).
    english = REPORT.replace("它根据词频和逆文档频率给文档打分", "It ranks documents by term frequency")
    with StubOpenAI([StubRule(match=["You check citations"], status=500)]) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
        monkeypatch.setenv("REPORTGRAPH_MAX_RETRIES", "0")
        env.cache_clear()
        out = tmp_path / "outage"
        out.mkdir()
        (out / "report.md").write_text(english, encoding="utf-8")
        code = main(["check", str(task_dir), str(out / "report.md"), "-o", str(out), "--embedder", "none",
                     "--llm", "on", "--model", "stub-model"])
        asked = stub.served("You check citations")
    env.cache_clear()
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    support = next(c for c in validation["checks"] if c["name"] == "citation_support")
    assert code == 1 and validation["status"] == "needs_review" and (out / "report.html").is_file()
    assert asked and all(r.status == 500 for r in asked)
    assert support["figure"]["unverified"] == 1 and support["figure"]["judge_failures"] == 1
    assert support["figure"]["judge_error"].startswith("model unavailable: ModelUnavailableError")
    [unverified] = [c for c in support["figure"]["citations"] if c["outcome"] == "unverified"]
    assert unverified["reason"].endswith("the judge gave no verdict")
