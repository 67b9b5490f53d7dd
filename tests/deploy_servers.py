"""Throwaway PostgreSQL and Chroma servers on 127.0.0.1 for the deployment tests; each is removed on exit.

A missing server binary skips the calling test with the reason, except under CI (`CI` set), where
`.ci/run` installs both, so a missing binary is a failure rather than a silent skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def missing(what: str) -> None:
    """Skip (or, under CI, fail) because a server binary is not installed."""
    message = f"{what} is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, but .ci/run installs it")
    pytest.skip(message)


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[::-1]),
                                           None)
    return Path(found).parent if found else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh cluster (trust auth, loopback TCP only); yields its URL ``postgresql://postgres@…/postgres``.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
    (created by the Debian package).
    """
    bin_dir = _postgres_bin()
    if bin_dir is None:
        missing("PostgreSQL (pg_ctl, Debian package postgresql)")
    assert bin_dir is not None
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="rg-postgres-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=START_TIMEOUT_S)
        # -F: no fsync (a throwaway cluster); the socket lives in the cluster's own folder.
        options = f"-h 127.0.0.1 -p {port} -k {data} -F"
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                        "-w", "-t", str(START_TIMEOUT_S), "-o", options, "start"],
                       check=True, capture_output=True, timeout=START_TIMEOUT_S + 10)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=START_TIMEOUT_S)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class ChromaServer:
    url: str
    path: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def _chroma_bin() -> str | None:
    beside = Path(sys.executable).parent / "chroma"  # the venv's own, from the chromadb package
    return str(beside) if beside.is_file() else shutil.which("chroma")


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    """`chroma run` on a free loopback port, data under ``path``; yields once its heartbeat answers."""
    binary = _chroma_bin()
    if binary is None:
        missing("the Chroma server (`chroma`, from the chromadb package)")
    assert binary is not None
    port = free_port()
    log = (path.parent / f"{path.name}-chroma.log").open("wb")
    command = [binary, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = ChromaServer(f"http://127.0.0.1:{port}", path, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not heartbeat(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start (exit {process.poll()}); see {log.name}")
            time.sleep(0.2)
        yield server
    finally:
        server.stop()
        log.close()


def heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False
