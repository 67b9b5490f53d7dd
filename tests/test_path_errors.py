"""Entries of a task folder the system will not let us read (a symlink loop, a dangling link, permission
denied, folders nested too deep) are refused with their reason, and `reportgraph run`, `index` and `resume`
go on with the rest (issue 27: a `self -> self` link stopped all three with exit 3).

Permission is denied with chmod; run as root (where chmod denies nothing) the same errors are raised by
the system calls the walk makes (os.scandir, os.open) for exactly those paths.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from reportgraph.graph import cli
from reportgraph.graph.cli import main
from reportgraph.tools.intake.taskio import MAX_DEPTH

TASK = ("Write a short report on garden birds for curious readers. Sections: Visitors; Feeding. "
        "Length: 80 to 200 words. Cite every source you use.\n")
DOCUMENTS = [
    {"title": "Winter visitors", "url": "https://example.org/visitors",
     "content": "Robins and blue tits visit gardens most often in winter, when insects are scarce."},
    {"title": "Feeding birds", "url": "https://example.org/feeding",
     "content": "Sunflower hearts and suet cakes give small birds the fat they need on cold nights."},
]
LONG_NAME = "n" * 200


def _base(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    (folder / "long_context.json").write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    return folder


def loop(folder: Path, _patch: pytest.MonkeyPatch) -> dict[str, str]:
    (folder / "self").symlink_to("self")
    (folder / "ping").symlink_to("pong")
    (folder / "pong").symlink_to("ping")
    return {"self": "symlink_loop", "ping": "symlink_loop"}


def dangling(folder: Path, _patch: pytest.MonkeyPatch) -> dict[str, str]:
    (folder / "paper.pdf").symlink_to(folder / "moved-away.pdf")
    (folder / "drafts").symlink_to(folder / "no-such-folder", target_is_directory=True)
    return {"paper.pdf": "dangling", "drafts": "dangling"}


def permission(folder: Path, patch: pytest.MonkeyPatch) -> dict[str, str]:
    locked, private = folder / "locked.txt", folder / "private"
    locked.write_text("Wrens nest in ivy.", encoding="utf-8")
    private.mkdir()
    (private / "notes.md").write_text("Starlings gather at dusk.", encoding="utf-8")
    locked.chmod(0)
    private.chmod(0)
    if os.geteuid() == 0:  # root reads everything: the system calls deny these two paths instead
        denied = {str(locked), str(private)}
        real_open, real_scandir = os.open, os.scandir

        def guarded(call: Callable[..., object]) -> Callable[..., object]:
            def wrapper(path: object, *args: object, **kwargs: object) -> object:
                if str(path) in denied:
                    raise PermissionError(13, "Permission denied", str(path))
                return call(path, *args, **kwargs)
            return wrapper

        patch.setattr(os, "open", guarded(real_open))
        patch.setattr(os, "scandir", guarded(real_scandir))
    return {"locked.txt": "permission_denied", "private": "permission_denied"}


def too_deep(folder: Path, _patch: pytest.MonkeyPatch) -> dict[str, str]:
    nested = folder.joinpath(*["d"] * (MAX_DEPTH + 2))
    nested.mkdir(parents=True)
    (nested / "buried.txt").write_text("Owls hunt at night.", encoding="utf-8")
    # Long names: the path passes the system's limit (4,096 bytes) before MAX_DEPTH folders.
    handle = os.open(folder, os.O_RDONLY)
    for _ in range(22):
        os.mkdir(LONG_NAME, dir_fd=handle)
        inner = os.open(LONG_NAME, os.O_RDONLY, dir_fd=handle)
        os.close(handle)
        handle = inner
    os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle))
    os.close(handle)
    deepest_kept = "/".join(["d"] * MAX_DEPTH)
    # Where the path passes the limit depends on how long the temporary folder's own path is.
    return {f"{deepest_kept}/d": "nested_too_deep", f"{LONG_NAME}/…": "path_too_long"}


KINDS = {"loop": loop, "dangling": dangling, "permission": permission, "too_deep": too_deep}
# Refusals of entries that may hold a material: the report names them and materials_read fails.
UNREAD = {"permission", "too_deep"}


@pytest.fixture(params=sorted(KINDS))
def bad_folder(request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path, dict[str, str]]:
    folder = _base(tmp_path / "birds")
    expected = KINDS[request.param](folder, monkeypatch)
    yield request.param, folder, expected
    for path in (folder / "locked.txt", folder / "private"):
        if path.exists():
            path.chmod(0o755)  # so pytest can remove the folder


def _refused(inventory: dict[str, object], expected: dict[str, str]) -> dict[str, str]:
    """The code of each expected entry ("DIR/…": of some entry under DIR) among the refused ones."""
    found: dict[str, str] = {}
    for entry in inventory["refused"]:  # type: ignore[attr-defined]
        for path in expected:
            if entry["path"] == path or (path.endswith("/…") and entry["path"].startswith(path[:-1])):
                found[path] = entry["code"]
    return found


def _assert_outputs(kind: str, output: Path, expected: dict[str, str]) -> None:
    run = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert _refused(run["inventory"], expected) == expected
    checks = {c["name"]: c for c in json.loads((output / "validation.json").read_text())["checks"]}
    report = (output / "report.md").read_text(encoding="utf-8")
    if kind in UNREAD:
        assert not checks["materials_read"]["passed"]
        assert all(path.removesuffix("/…") in report for path in expected)
    else:
        assert checks["materials_read"]["passed"]
    assert "Winter visitors" in json.dumps(run["retrieval"]) or "[long_context" in report


def _run_args(folder: Path, output: Path, run_id: str) -> list[str]:
    return ["run", str(folder), "-o", str(output), "--run-id", run_id, "--embedder", "none", "--llm", "off"]


def test_run_refuses_the_entry_and_goes_on(bad_folder: tuple[str, Path, dict[str, str]],
                                           tmp_path: Path) -> None:
    kind, folder, expected = bad_folder
    assert main(_run_args(folder, tmp_path / "out", f"run-{kind}")) in (0, 1)
    _assert_outputs(kind, tmp_path / "out", expected)


def test_index_refuses_the_entry_and_goes_on(bad_folder: tuple[str, Path, dict[str, str]],
                                             capfd: pytest.CaptureFixture[str]) -> None:
    _kind, folder, expected = bad_folder
    assert main(["index", str(folder), "--embedder", "none"]) == 0
    printed = capfd.readouterr().err
    summary = json.loads(printed[printed.index("{"):printed.rindex("}") + 1])
    assert _refused(summary, expected) == expected
    assert summary["records"] == len(DOCUMENTS)


def test_resume_refuses_the_entry_and_goes_on(bad_folder: tuple[str, Path, dict[str, str]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    """A run stopped before its first checkpoint is run again by `resume`, over the same folder."""
    kind, folder, expected = bad_folder
    real_stream = cli._stream

    def interrupted(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_stream", interrupted)
    run_id = f"resume-{kind}"
    assert main(_run_args(folder, tmp_path / "out", run_id)) == 3
    monkeypatch.setattr(cli, "_stream", real_stream)
    assert main(["resume", run_id, "--cache-dir", str(cache_dir)]) in (0, 1)
    _assert_outputs(kind, tmp_path / "out", expected)
