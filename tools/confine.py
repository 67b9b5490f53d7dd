"""Where a served surface may read: task folders under configured roots, and who may ask.

A server (the MCP tools, the LangGraph-served graph) takes paths from clients it does not know. It reads
only under its **roots**, stated at start: ``--root DIR`` (repeatable) or ``REPORTGRAPH_ROOTS`` (folders
joined by ``os.pathsep``), else the working directory. A path is refused, with a :class:`PathRefused`
naming why, when it

- holds a ``..`` part (whatever it resolves to: a client has no reason to climb);
- resolves (links followed; a relative path from the working directory, as every reader of the project
  takes it) outside every root;
- is a folder holding an entry that is a link resolving outside every root (a link out).

A server listening beyond loopback must check a bearer token (``--token`` or ``REPORTGRAPH_TOKEN``):
:func:`require_token_beyond_loopback` refuses to start without one, :func:`bearer_ok` compares in constant
time. Plain Python: every surface calls these, none re-implements them.
"""

from __future__ import annotations

import glob
import hmac
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

ROOTS_ENV = "REPORTGRAPH_ROOTS"
TOKEN_ENV = "REPORTGRAPH_TOKEN"
MAX_ENTRIES_CHECKED = 10_000  # a task folder is a handful of files; past this the folder is refused


class PathRefused(ValueError):
    """A client's path the server does not serve; ``code`` is ``parent_reference``, ``outside_roots``,
    ``link_out`` or ``too_many_entries``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")  # the code in the text too, as intake's BadInputError does
        self.code = code


class ListenRefused(ValueError):
    """A server asked to listen beyond loopback without a token."""


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolved(path: Path) -> Path | None:
    """``path`` with every link followed, or None when it cannot be (a loop, a permission error): such an
    entry leads nowhere, so it is not a way out; reading it is intake's business."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


@dataclass(frozen=True)
class Roots:
    """The folders a server reads under (resolved, absolute)."""

    paths: tuple[Path, ...]

    @classmethod
    def of(cls, folders: Iterable[str | Path] = (), environ: dict[str, str] | None = None) -> Roots:
        """``folders`` when given, else ``REPORTGRAPH_ROOTS`` from ``environ`` (default ``os.environ``),
        else the working directory."""
        given = [str(folder) for folder in folders if str(folder)]
        if not given:
            value = (os.environ if environ is None else environ).get(ROOTS_ENV, "")
            given = [part for part in value.split(os.pathsep) if part.strip()]
        return cls(tuple(Path(folder).expanduser().resolve() for folder in given or [str(Path.cwd())]))

    def describe(self) -> str:
        return ", ".join(str(path) for path in self.paths)

    def confine(self, path: str | Path) -> Path:
        """The resolved path a client gave, when it lies under a root; raises :class:`PathRefused`."""
        given = PurePath(os.path.expanduser(str(path)))
        if ".." in given.parts:
            raise PathRefused("parent_reference", f"{str(path)!r} holds '..': give a path under a root")
        target = _resolved(Path(given))
        if target is None or not any(_inside(target, root) for root in self.paths):
            raise PathRefused(
                "outside_roots",
                f"{str(path)!r} is outside the folders this server serves ({self.describe()}); "
                f"start it with --root DIR or {ROOTS_ENV} to serve another folder",
            )
        return target

    def confine_run(
        self, task_dir: str | Path, output_dir: str, mcp_config: str | None, *, server_mcp_config: str | None
    ) -> None:
        """A served run's paths: the task folder (:meth:`confine_folder`), the output folder when the client
        set one (written to), and an MCP config file other than the server's own (it starts processes)."""
        self.confine_folder(task_dir)
        if output_dir:
            self.confine(output_dir)
        if mcp_config and mcp_config != server_mcp_config:
            self.confine(mcp_config)

    def _refuse_link_out(self, entry: Path, given: str | Path) -> None:
        target = _resolved(entry) if entry.is_symlink() else None
        if target is not None and not any(_inside(target, root) for root in self.paths):
            raise PathRefused(
                "link_out",
                f"{entry.name} (in {str(given)!r}) links outside the folders this server serves "
                f"({self.describe()})",
            )

    def confine_folder(self, path: str | Path) -> Path:
        """:meth:`confine`, then refuse a folder any of whose entries (at any depth, links not followed into)
        is a link resolving outside every root."""
        folder = self.confine(path)
        if not folder.is_dir():
            return folder  # not a folder: the surface's own input check says so
        seen = 0
        for current, dirs, files in os.walk(folder, followlinks=False):
            for name in (*dirs, *files):
                seen += 1
                if seen > MAX_ENTRIES_CHECKED:
                    raise PathRefused("too_many_entries", f"{str(path)!r} holds over {seen - 1} entries")
                self._refuse_link_out(Path(current) / name, path)
        return folder

    def confine_file(self, path: str | Path) -> Path:
        """:meth:`confine` (a link out is outside), then refuse a file whose companions (the same stem, e.g.
        subtitles read beside a video) link out."""
        target = self.confine(path)
        for sibling in target.parent.glob(f"{glob.escape(target.stem)}*"):
            self._refuse_link_out(sibling, path)
        return target


def configured_roots(environ: dict[str, str] | None = None) -> Roots | None:
    """The roots ``REPORTGRAPH_ROOTS`` states, or None when it is unset (a surface that is not a server, e.g.
    the graph run from the CLI or Python, reads where its caller says)."""
    value = (os.environ if environ is None else environ).get(ROOTS_ENV, "")
    return Roots.of(environ={ROOTS_ENV: value}) if value.strip() else None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); any other name or address is not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_token_beyond_loopback(host: str, token: str) -> None:
    """Raise :class:`ListenRefused` when ``host`` is not loopback and no token is set."""
    if not token and not is_loopback(host):
        raise ListenRefused(
            f"refusing to listen on {host}: beyond loopback every client must give a bearer token; "
            f"set --token or {TOKEN_ENV}"
        )


def bearer_ok(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (constant-time compare)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
