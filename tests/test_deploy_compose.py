"""deploy/compose.yaml parses as a Compose file (`docker-compose config`, or `docker compose config`), names
the four services of docs/deployment.md and points the API at Postgres and the Chroma server. Only the
configuration is checked: no Docker engine runs here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

COMPOSE = Path(__file__).resolve().parent.parent / "deploy" / "compose.yaml"


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 timeout=30).returncode == 0:
        return ["docker", "compose"]
    pytest.skip("no Compose client (docker-compose or the docker compose plugin) is installed")


def config(*extra: str, path: Path = COMPOSE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*compose_command(), "-f", str(path), "config", *extra], capture_output=True,
                          text=True, timeout=60, cwd=path.parent)


def test_compose_file_is_valid_and_names_the_services() -> None:
    result = config("--services")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "chroma", "api"}
    resolved = config().stdout
    assert "REPORTGRAPH_CHROMA_URL: http://chroma:8000" in resolved
    assert "DATABASE_URI: postgres://postgres:postgres@postgres:5432/postgres" in resolved


def test_the_check_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    text = COMPOSE.read_text(encoding="utf-8")
    broken.write_text(text.replace("    image: redis:7", "    imagee: redis:7"), encoding="utf-8")
    assert config(path=broken).returncode != 0
