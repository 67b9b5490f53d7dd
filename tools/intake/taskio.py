"""Task intake: read ``task.md`` robustly and classify the files of a task folder.

Everything here fails loudly with :class:`BadInputError` rather than letting a garbled prompt or a stray
symlink reach the graph, where the failure would surface much later as a bad report.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import unicodedata
from pathlib import Path

import charset_normalizer
import ftfy
from pydantic import BaseModel, Field
from reportgraph.tools.file_kinds import CORPUS_SUFFIXES, FileKind, kind_of
from reportgraph.tools.text import CJK_CHAR, count_cjk

TASK_FILE_NAMES = ("task.md", "task.txt")
# A prompt is a few kilobytes; anything this long is a material pasted into the wrong file. Truncating
# would silently drop the requirements, which usually come last (length, sections), so we refuse instead.
MAX_TASK_CHARS = 200_000
# UTF-32 needs at most 4 bytes a character, so larger files cannot be under MAX_TASK_CHARS.
MAX_TASK_BYTES = MAX_TASK_CHARS * 4 + 4

BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1aE\xdf\xa3": "a Matroska/WebM video",
    b"ID3": "an MP3 file",
    b"OggS": "an Ogg file",
    b"RIFF": "a RIFF (WAV/AVI) file",
}

# Documents of formats nothing here reads (old binary Office, OpenDocument, e-books): named in the report
# as not read, never passed over in silence.
UNREAD_DOCUMENT_SUFFIXES = (".doc", ".ppt", ".xls", ".rtf", ".odt", ".odp", ".ods", ".epub", ".pages", ".key",
                            ".numbers", ".wps")
CORPUS_NAME = re.compile(r"^long_context.*\.jsonl?$", re.IGNORECASE)
SAMPLE_NAME = re.compile(r"(?:^|[_\-.])sampled?(?:[_\-.]|\d|$)", re.IGNORECASE)
CORPUS_PEEK_BYTES = 64_000
DOC_TEXT_KEY = re.compile(r'"(?:content|text|body|passage)"\s*:')
# Sub-folders deeper than this are refused: os.walk recurses, and no task nests its materials this deep.
MAX_DEPTH = 24
# Entries refused because the system would not let us read them: errno → code → the reason a reader sees
# (run.json; the report's words are in prompts/materials.py FILE_REASONS).
ERRNO_CODES = {errno.ELOOP: "symlink_loop", errno.ENOENT: "dangling", errno.EACCES: "permission_denied",
               errno.EPERM: "permission_denied", errno.ENAMETOOLONG: "path_too_long"}
REFUSAL_REASONS = {
    "symlink_loop": "a symlink loop (or a chain of links too long to follow)",
    "dangling": "dangling (its target does not exist)",
    "permission_denied": "permission denied",
    "path_too_long": "its path is too long for the system (nested too deep)",
    "nested_too_deep": "a folder nested more than {depth} levels deep",
    "not_a_regular_file": "not a regular file (a pipe, socket or device)",
    "os_error": "cannot be read: {error}",
}
# Refusals of an entry that may hold a material nobody then read: disclosed, and materials_read fails. A
# symlink's refusal is not among them: a link is not followed by design (run.json names it).
UNREAD_REFUSALS = ("permission_denied", "path_too_long", "nested_too_deep", "not_a_regular_file", "os_error")


class BadInputError(Exception):
    """The task folder or one of its files cannot be used; ``code`` says why in a machine-readable way.

    Codes used so far: task_missing, task_empty, task_binary, task_damaged, task_too_long,
    task_dir_missing, task_dir_is_file, task_dir_unreadable, path_outside_task, no_materials,
    corpus_malformed.
    """

    def __init__(self, code: str, message: str, path: str | Path | None = None) -> None:
        self.code = code
        self.path = str(path) if path is not None else None
        super().__init__(f"{message} [{code}]" if path is None else f"{path}: {message} [{code}]")


class TaskText(BaseModel):
    text: str
    encoding: str = Field(description="The encoding the bytes were decoded with, e.g. utf_8, gb18030")
    repaired: bool = Field(default=False, description="Mojibake was found and undone")
    notes: list[str] = Field(default_factory=list, description="What was detected or repaired, for the log")


# ---------------------------------------------------------------- reading the task


def read_task_text(path: str | Path) -> TaskText:
    """Read a task prompt in any common encoding, undo mojibake, and refuse unusable prompts."""
    task_path = Path(path)
    if task_path.is_symlink():
        raise BadInputError("path_outside_task", "the task file is a symlink; it is not followed", task_path)
    if not task_path.is_file():
        raise BadInputError("task_missing", "the task file does not exist", task_path)
    size = task_path.stat().st_size
    if size > MAX_TASK_BYTES:
        raise BadInputError(
            "task_too_long",
            f"the task file has {size} bytes; a prompt over {MAX_TASK_CHARS} characters "
            "is almost certainly a material saved as the task",
            task_path,
        )
    data = task_path.read_bytes()
    if not data.strip():
        raise BadInputError("task_empty", "the task file is empty", task_path)

    text, encoding = decode_task_bytes(data, task_path)
    notes: list[str] = [] if encoding in ("utf_8", "ascii") else [f"decoded as {encoding}"]
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text, repair_notes = repair_mojibake(text)
    notes += repair_notes
    text = text.strip()

    if not text:
        raise BadInputError("task_empty", "the task file holds only whitespace", task_path)
    if len(text) > MAX_TASK_CHARS:
        raise BadInputError(
            "task_too_long",
            f"the task has {len(text)} characters (limit {MAX_TASK_CHARS}); a prompt this "
            "long is almost certainly a material saved as the task",
            task_path,
        )
    if control_share(text) > 0.05:
        raise BadInputError(
            "task_binary", "the task file has too many control characters to be text", task_path
        )
    problem = damage_reason(text)
    if problem:
        history = f" (after: {'; '.join(notes)})" if notes else ""
        raise BadInputError("task_damaged", f"the task cannot be understood: {problem}{history}", task_path)
    return TaskText(text=text, encoding=encoding, repaired=bool(repair_notes), notes=notes)


def decode_task_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode with the BOM if any, else strict UTF-8, else charset-normalizer's best guess."""
    for magic, what in BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise BadInputError("task_binary", f"the task file is {what}, not text", path)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf_8_sig"
    # NUL is valid UTF-8, so BOM-less UTF-16 English would pass as UTF-8 riddled with NULs: let the detector
    # decide whenever NULs are present.
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf_8"
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    # UTF-16/32 legitimately hold NUL bytes; in any other guess they mean a binary file.
    if best is None or (b"\x00" in data and not best.encoding.startswith("utf_")):
        raise BadInputError("task_binary", "the task file is binary, not text in any known encoding", path)
    return str(best), best.encoding


def repair_mojibake(text: str) -> tuple[str, list[str]]:
    """Undo UTF-8 text that was decoded with a wrong codec on its way to us.

    ftfy handles the single-byte codecs (cp1252, latin-1, …). UTF-8 read as GBK it cannot handle, so we
    try re-encoding as GB18030 and decoding as UTF-8, and keep that only if it turns rare characters into
    common ones.
    """
    notes: list[str] = []
    fixed, explanation = ftfy.fix_encoding_and_explain(text)
    if fixed != text:
        steps = ", ".join(f"{step[0]} {step[1]}" for step in explanation or [])
        notes.append(f"repaired mojibake with ftfy ({steps})")
        text = fixed
    redecoded = undo_gbk_mojibake(text)
    if redecoded is not None:
        lost = redecoded.count("\ufffd")
        notes.append(
            "repaired UTF-8 text that had been decoded as GBK"
            + (f"; {lost} characters could not be recovered" if lost else "")
        )
        text = redecoded
    return text, notes


def common_hanzi_share(text: str) -> float:
    """Share of CJK characters that are among the 3,755 most common (GB2312 level 1)."""
    hanzi = CJK_CHAR.findall(text)
    if not hanzi:
        return 0.0
    common = 0
    for char in hanzi:
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= encoded[0] <= 0xD7
    return common / len(hanzi)


def undo_gbk_mojibake(text: str) -> str | None:
    if count_cjk(text) < 4 or common_hanzi_share(text) > 0.6:
        return None
    try:
        # Replacement marks stand for bytes the wrong decoder dropped; leave the gap for UTF-8 to flag.
        raw = text.replace("\ufffd", "").encode("gb18030")
    except UnicodeEncodeError:
        return None
    candidate = raw.decode("utf-8", errors="replace")
    # Keep it only if it reads as Chinese: common characters, and more of them than lost ones. Lossy repairs
    # are still worth keeping: damage_reason then reports the lost characters instead of a wall of mojibake.
    recovered = count_cjk(candidate)
    if recovered < 4 or common_hanzi_share(candidate) < 0.8 or candidate.count("\ufffd") > 0.5 * recovered:
        return None
    return candidate


# ---------------------------------------------------------------- damage detection

# Punctuation only Chinese text uses (curly quotes are common in English, so they do not count).
FULLWIDTH_PUNCT = re.compile(r"[，。；：、（）《》！？【】]")
LETTER_OR_CJK = re.compile(rf"[A-Za-z]|{CJK_CHAR.pattern}")
# A real word is a letter run not glued to digits: "Transformer1234" is debris, not a word.
REAL_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?:['’\-][A-Za-z]+)*(?![A-Za-z0-9])")
LOST_CHAR_RUN = re.compile(r"[?\ufffd]{3,}")
# With this much readable text a prompt is understandable however many digits or dot leaders it also has.
ENOUGH_TO_READ = 200


def control_share(text: str) -> float:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    return controls / max(len(text), 1)


def damage_reason(text: str) -> str | None:
    """Why a prompt cannot be understood (its characters were lost in transit), or None if it looks fine.

    The typical damage is a Chinese prompt whose characters were stripped or turned into '?' on the way,
    leaving "，（1）；（2）。2000-3000" or "Transformer123420003000".
    """
    visible = re.sub(r"\s", "", text)
    if not visible:
        return "it holds no visible characters"
    cjk = count_cjk(visible)
    words = len(REAL_WORD.findall(text))
    replaced = visible.count("\ufffd")
    if replaced >= 3 and replaced / len(visible) > 0.02:
        return f"{replaced} characters are replacement marks (\ufffd): they were lost in a wrong decoding"
    lost = visible.count("?") + replaced
    if lost >= 4 and lost / len(visible) > 0.2 and LOST_CHAR_RUN.search(visible):
        return f"{lost} of {len(visible)} characters are '?' where text was lost"
    fullwidth = len(FULLWIDTH_PUNCT.findall(visible))
    # Chinese punctuation with neither Chinese characters nor enough English words around it.
    if fullwidth >= 2 and cjk < 2 * fullwidth and words < 3 * fullwidth:
        return (
            f"it has {fullwidth} Chinese punctuation marks but only {cjk} Chinese characters; "
            "the characters were probably stripped"
        )
    meaningful = len(LETTER_OR_CJK.findall(visible))
    if meaningful < ENOUGH_TO_READ and meaningful / len(visible) < 0.4:
        return f"only {meaningful} of {len(visible)} characters are letters; the rest are digits and symbols"
    if cjk < 2 and words < 2:
        return "it contains no words"
    return None


# ---------------------------------------------------------------- the task folder


class SkippedFile(BaseModel):
    path: str = Field(description="Relative to the task folder")
    reason: str
    code: str = Field(default="", description="Why the system refused it (a REFUSAL_REASONS key); '' if not")


def refusal(path: str, code: str, **details: str) -> SkippedFile:
    """A refused entry with its code and reason (REFUSAL_REASONS)."""
    return SkippedFile(path=path, code=code, reason=REFUSAL_REASONS[code].format(**details))


class Inventory(BaseModel):
    """The files of a task folder by kind, as paths relative to the folder (POSIX separators)."""

    root: str
    task: str | None = None
    corpus: list[str] = Field(default_factory=list)
    pdf: list[str] = Field(default_factory=list)
    document: list[str] = Field(default_factory=list, description="Text, HTML, Office files and tables")
    video: list[str] = Field(default_factory=list)
    image: list[str] = Field(default_factory=list)
    audio: list[str] = Field(default_factory=list)
    subtitle: list[str] = Field(default_factory=list)
    other: list[str] = Field(default_factory=list)
    ignored: list[SkippedFile] = Field(default_factory=list, description="Readable but deliberately unused")
    refused: list[SkippedFile] = Field(
        default_factory=list,
        description="Symlinks (never followed) and entries the system would not let us read, with why",
    )
    notes: list[str] = Field(default_factory=list)

    @property
    def materials(self) -> list[str]:
        return [*self.corpus, *self.pdf, *self.document, *self.video, *self.image, *self.audio,
                *self.subtitle]


def require_task_dir(path: Path) -> None:
    """Raise :class:`BadInputError` unless ``path`` is a folder, saying what it is instead."""
    if path.is_file():
        raise BadInputError(
            "task_dir_is_file", "this is a file, not a task folder: give the folder that holds task.md", path
        )
    if not path.is_dir():
        raise BadInputError("task_dir_missing", "the task folder does not exist", path)


def inventory(task_dir: str | Path) -> Inventory:
    """Classify every file under ``task_dir``; prefer a full corpus over its sample.

    Symlinks are never followed, and an entry the system will not let us read (a symlink loop, a dangling
    link, permission denied, a folder nested too deep) is refused with its reason (``refused``) while the
    walk goes on. Raises :class:`BadInputError` when the folder itself cannot be listed or holds no
    material."""
    root = Path(task_dir)
    require_task_dir(root)
    root = root.resolve()
    found = Inventory(root=str(root))
    corpus_candidates: list[str] = []

    def refuse_listing(error: OSError) -> None:  # os.walk's onerror: a folder it could not list
        if Path(str(error.filename)) == root:
            raise BadInputError("task_dir_unreadable",
                                f"the task folder cannot be listed: {os_refusal('.', error).reason}", root)
        found.refused.append(os_refusal(relative(Path(str(error.filename)), root), error))

    for dirpath, dirnames, filenames in os.walk(root, onerror=refuse_listing, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = _walkable(here, dirnames, root, found)
        for name in sorted(filenames):
            path = here / name
            rel = relative(path, root)
            if here == root and name.lower() in TASK_FILE_NAMES and path.is_symlink():
                raise BadInputError("path_outside_task", "the task file is a symlink; it is not followed",
                                    path)
            if name.startswith("."):
                found.ignored.append(SkippedFile(path=rel, reason="hidden"))
                continue
            problem = entry_problem(path, root)
            if problem:
                found.refused.append(problem)
                continue
            kind = classify(path, at_top=here == root)
            if kind == "task" and found.task is None:
                found.task = rel
            elif kind == "corpus":
                corpus_candidates.append(rel)
            elif kind == "task":
                found.other.append(rel)
            else:
                getattr(found, kind).append(rel)
    _choose_corpus(found, corpus_candidates)
    if not found.materials:
        unusable = ", ".join(found.other) or "nothing"
        refused = "; ".join(f"{skipped.path}: {skipped.reason}, not followed" for skipped in found.refused)
        raise BadInputError(
            "no_materials",
            f"the task folder has no usable materials (found: {unusable})"
            + (f"; refused: {refused} (copy the files into the folder)" if refused else ""),
            root,
        )
    return found


def _walkable(here: Path, dirnames: list[str], root: Path, found: Inventory) -> list[str]:
    """The sub-folders of ``here`` to walk into: not hidden (tool caches), not symlinks (refused with their
    reason), not deeper than MAX_DEPTH (refused: the walk would otherwise recurse without end)."""
    kept = []
    for name in sorted(dirnames):
        path = here / name
        if _is_link(path):
            found.refused.append(link_refusal(path, root))
        elif len(path.relative_to(root).parts) > MAX_DEPTH:
            found.refused.append(refusal(relative(path, root), "nested_too_deep", depth=str(MAX_DEPTH)))
        elif not name.startswith("."):
            kept.append(name)
    return kept


def _choose_corpus(found: Inventory, candidates: list[str]) -> None:
    # The canonical long_context*.json comes first: consumers that take one corpus take corpus[0].
    candidates.sort(key=lambda c: not CORPUS_NAME.match(Path(c).name))
    full = [c for c in candidates if not SAMPLE_NAME.search(Path(c).stem)]
    for candidate in candidates:
        if candidate in full or not full:
            found.corpus.append(candidate)
        else:
            found.ignored.append(SkippedFile(path=candidate, reason="ignored_sample"))
    if candidates and not full:
        found.notes.append("only a sampled corpus is present; using it")


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def os_refusal(path: str, error: OSError | RuntimeError) -> SkippedFile:
    """The refusal of an entry the system raised ``error`` on (by errno; Python 3.11's ``Path.resolve``
    raises RuntimeError for a symlink loop, later versions OSError with ELOOP)."""
    number = error.errno if isinstance(error, OSError) else errno.ELOOP
    code = ERRNO_CODES.get(number or 0, "os_error")
    return refusal(path, code, error=str(getattr(error, "strerror", None) or error))


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False  # entry_problem names why it cannot even be looked at


def entry_problem(path: Path, root: Path) -> SkippedFile | None:
    """The refusal of the file ``path`` (a symlink, not a regular file, not openable), or None."""
    rel = relative(path, root)
    try:
        mode = path.lstat().st_mode
    except OSError as error:
        return os_refusal(rel, error)
    if stat.S_ISLNK(mode):
        return link_refusal(path, root)
    if not stat.S_ISREG(mode):
        return refusal(rel, "not_a_regular_file")
    try:  # opened once here, so a file nobody may read is refused now, not when its reader fails later
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError as error:
        return os_refusal(rel, error)
    return None


def link_refusal(path: Path, root: Path) -> SkippedFile:
    """A symlink's refusal: where it points, or why it points nowhere (a loop, a missing target)."""
    rel = relative(path, root)
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        broken = os_refusal(rel, error)
        return broken.model_copy(update={"reason": f"symlink: {broken.reason}"})
    inside = target.is_relative_to(root)
    return SkippedFile(path=rel, reason="symlink (inside the task folder)" if inside
                       else "symlink to outside the task folder")


def classify(path: Path, at_top: bool) -> FileKind:
    name = path.name.lower()
    if at_top and name in TASK_FILE_NAMES:
        return "task"
    suffix = path.suffix.lower()
    if suffix in CORPUS_SUFFIXES:
        return "corpus" if CORPUS_NAME.match(name) or looks_like_corpus(path) else "other"
    return kind_of(name)


def looks_like_corpus(path: Path) -> bool:
    """Peek at the head of a JSON file: a list of documents, {"documents": [...]}, or JSON lines of them."""
    with path.open("rb") as handle:
        head = handle.read(CORPUS_PEEK_BYTES).decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if path.suffix.lower() == ".jsonl":
        first_line = head.split("\n", 1)[0]
        try:
            record = json.loads(first_line)
        except ValueError:
            return False
        return isinstance(record, dict) and any(k in record for k in ("content", "text", "body", "passage"))
    if re.match(r'\{\s*"documents"\s*:\s*\[', head):
        return True
    return bool(re.match(r"\[\s*\{", head)) and bool(DOC_TEXT_KEY.search(head))
