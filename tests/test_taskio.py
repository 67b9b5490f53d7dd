"""Task intake: encodings, mojibake, refused prompts, and the inventory of a task folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec used to make mojibake)
import pytest
from reportgraph.tools.intake.taskio import (
    MAX_TASK_CHARS,
    BadInputError,
    damage_reason,
    inventory,
    read_task_text,
)

ZH_TASK = (
    "假设你是一名刚刚接触大模型技术的学生，需要撰写一份结合论文与讲解视频的学习报告。请撰写一篇《大模型技术论文阅读报告》，"
    "对其中涉及的重要技术（如长文本摘要、忠实性评估、人工评估等）进行清晰解释，并标注来源。报告需使用正式书面语，"
    "包含以下部分：（1）论文基本信息；（2）核心内容摘要；（3）关键技术解析；（4）视频补充要点。字数在2000至3000字。"
)
EN_TASK = "Using the paper and the talk, write a 1200-word report for newcomers. Cite every source."


def write(tmp_path: Path, data: bytes, name: str = "task.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- encodings and mojibake


@pytest.mark.parametrize(
    ("encode", "repaired"),
    [
        pytest.param(lambda t: t.encode("gbk"), False, id="gbk"),
        pytest.param(lambda t: t.encode("gb18030"), False, id="gb18030"),
        pytest.param(lambda t: t.encode("utf-16"), False, id="utf-16-bom"),
        pytest.param(lambda t: t.encode("utf-16-le"), False, id="utf-16-le-no-bom"),
        pytest.param(lambda t: t.encode("utf-8-sig"), False, id="utf-8-bom"),
        pytest.param(lambda t: t.encode("utf-8"), False, id="utf-8"),
        # UTF-8 bytes shown by a cp1252 (Windows) or latin-1 viewer, then saved again as UTF-8.
        pytest.param(lambda t: t.encode().decode("sloppy-windows-1252").encode(), True, id="mojibake-cp1252"),
        pytest.param(lambda t: t.encode().decode("latin-1").encode(), True, id="mojibake-latin-1"),
    ],
)
def test_zh_task_survives_encodings_and_mojibake(
    tmp_path: Path, encode: Callable[[str], bytes], repaired: bool
) -> None:
    task = read_task_text(write(tmp_path, encode(ZH_TASK)))
    assert task.text == ZH_TASK
    assert task.repaired == repaired


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
def test_english_task_in_utf16_without_bom(tmp_path: Path, encoding: str) -> None:
    task = read_task_text(write(tmp_path, EN_TASK.encode(encoding)))
    assert task.text == EN_TASK


def test_big5_traditional_chinese(tmp_path: Path) -> None:
    text = "請撰寫一篇關於長文本摘要的報告，字數約兩千字，請使用正式書面語。"
    task = read_task_text(write(tmp_path, text.encode("big5")))
    assert task.text == text
    assert task.encoding == "big5"


def test_utf8_read_as_gbk_is_undone_when_lossless(tmp_path: Path) -> None:
    # These clauses' UTF-8 bytes happen to be valid GB18030, so the wrong decoding lost nothing.
    text = "请你根据我提供的论文及相关视频，适合初学者理解，包含以下部分：（1）论文基本信息；"
    task = read_task_text(write(tmp_path, text.encode().decode("gb18030").encode()))
    assert task.text == text
    assert task.repaired
    assert any("GBK" in note for note in task.notes)


def test_utf8_read_as_gbk_with_lost_characters_is_damaged(tmp_path: Path) -> None:
    garbled = ZH_TASK.encode().decode("gbk", errors="replace")
    with pytest.raises(BadInputError) as caught:
        read_task_text(write(tmp_path, garbled.encode()))
    assert caught.value.code == "task_damaged"
    assert "GBK" in str(caught.value)


def test_crlf_and_surrounding_whitespace_are_normalised(tmp_path: Path) -> None:
    task = read_task_text(write(tmp_path, b"\r\n  Write a 300-word essay.\r\nCite sources.\r\n\r\n"))
    assert task.text == "Write a 300-word essay.\nCite sources."


# ---------------------------------------------------------------- refused prompts


@pytest.mark.parametrize(
    "text",
    [
        "Transformer123420003000",
        "，（1）；（2）。2000-3000",
        "，，。（，）。，，。：（1）；（2）；（3）；（4）。20003000。",
        "Transformer，GPT，BERT（1）；（2）；（3）。2000",
        "??????????,???????(1)??????;(2)??????.2000-3000?",
        "1234 5678 #### 9999 ----",
    ],
)
def test_damaged_prompts_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(BadInputError) as caught:
        read_task_text(write(tmp_path, text.encode()))
    assert caught.value.code == "task_damaged"
    assert "task.md" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["Summarize the paper.", "写一篇300字的总结", "总结论文", EN_TASK, ZH_TASK, "Write “Notes”，please."],
)
def test_normal_short_prompts_pass(tmp_path: Path, text: str) -> None:
    assert read_task_text(write(tmp_path, text.encode())).text == text
    assert damage_reason(text) is None


def test_real_prompts_are_never_called_damaged(shared_dir: Path) -> None:
    prompts = []
    for name in ("writing/longbench_write.jsonl", "writing/writingbench_length_subset.jsonl"):
        for line in (shared_dir / "eval" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            prompts.append(record.get("prompt") or record["query"])
    prompts += [
        json.loads(line)["prompt"]
        for line in (shared_dir / "eval/deep_research_bench/query.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    assert len(prompts) > 400
    flagged = [p[:60] for p in prompts if damage_reason(p)]
    assert flagged == []


def test_fixture_tasks_read_cleanly(shared_dir: Path) -> None:
    zh = read_task_text(shared_dir / "fixtures/longeval_zh/task.md")
    en = read_task_text(shared_dir / "fixtures/task_en.md")
    assert zh.text.startswith("假设你是") and zh.text.endswith("字数在2000至3000字。")
    assert en.text.startswith("You are preparing") and not en.repaired and not zh.repaired


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "task_empty"),
        (b"  \n\t\r\n  ", "task_empty"),
        ("\u3000\n".encode(), "task_empty"),
        (bytes(range(256)) * 8, "task_binary"),
        (b"\x00\x01\x02 abc \x00\x00\xff\xfe\x00", "task_binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "task_binary"),
        (b"Write a report. \x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11", "task_binary"),
    ],
    ids=["empty", "whitespace", "ideographic-space", "all-bytes", "nul-bytes", "pdf", "control-chars"],
)
def test_unusable_task_files(tmp_path: Path, data: bytes, code: str) -> None:
    with pytest.raises(BadInputError) as caught:
        read_task_text(write(tmp_path, data))
    assert caught.value.code == code
    assert caught.value.path == str(tmp_path / "task.md")


def test_missing_task(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        read_task_text(tmp_path / "task.md")
    assert caught.value.code == "task_missing"
    assert "does not exist" in str(caught.value)


def test_overlong_task_is_refused_not_truncated(tmp_path: Path) -> None:
    long_text = "Write a report about cats. " * (MAX_TASK_CHARS // 20)
    with pytest.raises(BadInputError) as caught:
        read_task_text(write(tmp_path, long_text.encode()))
    assert caught.value.code == "task_too_long"
    just_under = "Write a report about cats. " * (MAX_TASK_CHARS // 30)
    assert read_task_text(write(tmp_path, just_under.encode())).text == just_under.strip()


def test_symlinked_task_file_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path, EN_TASK.encode(), "elsewhere.md")
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "task.md").symlink_to(outside)
    with pytest.raises(BadInputError) as caught:
        read_task_text(folder / "task.md")
    assert caught.value.code == "path_outside_task"


# ---------------------------------------------------------------- inventory


def make_folder(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


DOCS = json.dumps([{"title": "A", "url": "u", "content": "text"}])


def test_inventory_classifies_every_kind(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path / "task",
        {
            "task.md": EN_TASK,
            "long_context.json": DOCS,
            "extra_docs.json": DOCS,
            "wrapped.json": json.dumps({"documents": [{"title": "B", "text": "t"}]}),
            "lines.jsonl": '{"title": "C", "content": "c"}\n',
            "config.json": '{"model": "x"}',
            "paper.PDF": b"%PDF-1.7",
            "talk.mp4": b"\x00",
            "clip.webm": b"\x00",
            "slides/slide1.png": b"\x89PNG",
            "photo.jpeg": b"\xff\xd8\xff",
            "narration.mp3": b"ID3",
            "talk.srt": "1\n00:00:01,000 --> 00:00:02,000\nHi\n",
            "talk.vtt": "WEBVTT\n",
            "notes.docx": b"PK",
            ".DS_Store": b"\x00",
            "slides/task.md": "not the task",
        },
    )
    found = inventory(folder)
    assert found.task == "task.md"
    assert found.corpus == ["long_context.json", "extra_docs.json", "lines.jsonl", "wrapped.json"]
    assert found.pdf == ["paper.PDF"]
    assert found.video == ["clip.webm", "talk.mp4"]
    assert found.image == ["photo.jpeg", "slides/slide1.png"]
    assert found.audio == ["narration.mp3"]
    assert found.subtitle == ["talk.srt", "talk.vtt"]
    assert found.document == ["notes.docx", "slides/task.md"]  # read as documents (tools/intake/documents.py)
    assert found.other == ["config.json"]
    assert [(s.path, s.reason) for s in found.ignored] == [(".DS_Store", "hidden")]
    assert json.loads(json.dumps(found.model_dump()))["corpus"] == found.corpus


def test_full_corpus_is_preferred_over_its_sample(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path, {"task.md": EN_TASK, "long_context.json": DOCS, "long_context_sampled_60.json": DOCS}
    )
    found = inventory(folder)
    assert found.corpus == ["long_context.json"]
    assert [(s.path, s.reason) for s in found.ignored] == [("long_context_sampled_60.json", "ignored_sample")]


def test_a_lone_sample_is_used_with_a_note(tmp_path: Path) -> None:
    found = inventory(make_folder(tmp_path, {"task.md": EN_TASK, "long_context_sampled_60.json": DOCS}))
    assert found.corpus == ["long_context_sampled_60.json"]
    assert found.ignored == [] and "sampled" in found.notes[0]


def test_symlinks_are_refused_and_recorded(tmp_path: Path) -> None:
    secret = make_folder(tmp_path / "outside", {"secret.pdf": b"%PDF", "docs/a.pdf": b"%PDF"})
    folder = make_folder(tmp_path / "task", {"task.md": EN_TASK, "paper.pdf": b"%PDF"})
    (folder / "leak.pdf").symlink_to(secret / "secret.pdf")
    (folder / "alias.pdf").symlink_to(folder / "paper.pdf")
    (folder / "linked_dir").symlink_to(secret / "docs", target_is_directory=True)
    found = inventory(folder)
    assert found.pdf == ["paper.pdf"]
    assert {(s.path, s.reason) for s in found.refused} == {
        ("leak.pdf", "symlink to outside the task folder"),
        ("alias.pdf", "symlink (inside the task folder)"),
        ("linked_dir", "symlink to outside the task folder"),
    }


def test_symlinked_task_md_raises(tmp_path: Path) -> None:
    outside = make_folder(tmp_path / "outside", {"task.md": EN_TASK})
    folder = make_folder(tmp_path / "task", {"paper.pdf": b"%PDF"})
    (folder / "task.md").symlink_to(outside / "task.md")
    with pytest.raises(BadInputError) as caught:
        inventory(folder)
    assert caught.value.code == "path_outside_task"


def test_no_materials_names_what_was_found(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, {"task.md": EN_TASK, "weights.bin": b"\x00", "config.json": "{}"})
    with pytest.raises(BadInputError) as caught:
        inventory(folder)
    assert caught.value.code == "no_materials"
    assert "weights.bin" in str(caught.value)


def test_no_materials_names_the_symlinks_it_refused(tmp_path: Path) -> None:
    """A folder of links to the materials is refused (links are not followed), and the message says so
    rather than "found: nothing"."""
    outside = make_folder(tmp_path / "elsewhere", {"paper.pdf": b"%PDF-1.4"})
    folder = make_folder(tmp_path / "task", {"task.md": EN_TASK})
    (folder / "paper.pdf").symlink_to(outside / "paper.pdf")
    with pytest.raises(BadInputError) as caught:
        inventory(folder)
    assert caught.value.code == "no_materials"
    assert "paper.pdf: symlink to outside the task folder, not followed" in str(caught.value)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        inventory(tmp_path / "nope")
    assert caught.value.code == "task_dir_missing"


def test_fixture_folder_inventory(shared_dir: Path) -> None:
    found = inventory(shared_dir / "fixtures/longeval_zh")
    assert (found.task, found.corpus, found.pdf, found.video) == (
        "task.md",
        ["long_context.json"],
        ["pdf.pdf"],
        ["video.mp4"],
    )
    assert [s.path for s in found.ignored if s.reason == "ignored_sample"] == ["long_context_sampled_60.json"]
