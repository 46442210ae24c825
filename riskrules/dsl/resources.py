"""Reading the files a ruleset names: the ruleset itself, schema, list files, includes, models.

Every file is read once, through :class:`Files`, which keeps its bytes (for the
checker and the digest); every text read is registered in the :class:`SourceCache`
so diagnostics can show the offending line. Paths in spans are the ruleset's directory joined
with the path as written (``rulesets/origination/lists/blocked.txt``).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable

from . import ast as A
from .diagnostics import Diagnostic, SourceCache, error
from .limits import MAX_FILE_BYTES

_INT = re.compile(r"-?\d+")
#: model files (a fitted gradient-boosting pipeline) are larger than rule text
MAX_MODEL_BYTES = 256 * 1024 * 1024


def resolve(base_file: str, relative: str) -> str:
    """``relative`` as written in ``base_file``, as a path to show and open."""
    return str(Path(base_file).parent / relative)


def normalise(text: str) -> str:
    """One newline convention and no byte-order mark, so offsets match line/col."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Files:
    """Every file a ruleset is made of, each read once: the bytes the checker binds and the digest covers.

    The loader (:mod:`riskrules.dsl.loader`) reads through it; later stages ask it for
    the bytes and never open a file themselves, so a file replaced while a ruleset
    loads cannot put one version's content under another version's digest.
    """

    def __init__(self, sources: SourceCache | None = None) -> None:
        self.sources = sources if sources is not None else SourceCache()
        self.raw: dict[str, bytes] = {}  # path as opened -> bytes, in reading order
        self.failed: dict[str, list[Diagnostic]] = {}  # path -> why it could not be read

    def add(self, path: str, raw: bytes) -> None:
        """Record bytes that came from elsewhere (a ruleset's text handed in by the caller)."""
        self.raw[path] = raw

    def read(self, path: str, at: A.Span | None = None, what: str = "file",
             limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, list[Diagnostic]]:
        """The bytes of ``path`` (at most ``limit``), or diagnostics positioned ``at`` the reference."""
        if path in self.raw:
            return self.raw[path], []
        where = at or A.Span(path, 1, 1, 1, 1)
        try:
            with open(path, "rb") as f:
                raw = f.read(limit + 1)
        except (OSError, ValueError) as e:  # ValueError: a NUL byte in the name
            why = (e.strerror or str(e)) if isinstance(e, OSError) else str(e)
            self.failed[path] = [error("E116", f"cannot read {what} '{path}': {why}", where)]
            return None, self.failed[path]
        if len(raw) > limit:
            self.failed[path] = [error("E112", f"{what} '{path}' is larger than {limit // (1024 * 1024)} MB", where)]
            return None, self.failed[path]
        self.raw[path] = raw
        return raw, []

    def text(self, path: str, at: A.Span | None = None, what: str = "file") -> tuple[str | None, list[Diagnostic]]:
        """The UTF-8 text of ``path``, registered in the source cache for diagnostics."""
        raw, problems = self.read(path, at, what)
        if raw is None:
            return None, problems
        try:
            text = normalise(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            return None, [error("E116", f"{what} '{path}' is not UTF-8 text (byte {e.start})", at or A.Span(path, 1, 1, 1, 1))]
        self.sources.add(path, text)
        return text, []

    def get(self, path: str) -> bytes | None:
        """The bytes read from ``path``, or None when it was not read."""
        return self.raw.get(path)

    def digest(self, paths: Iterable[str] | None = None) -> str:
        """sha256 over each file's name and bytes: of ``paths`` in that order (the checker
        names the ruleset, schema, lists, models and includes), else of every file read."""
        h = hashlib.sha256()
        for path in (self.raw if paths is None else paths):
            raw = self.raw.get(path)
            h.update(Path(path).name.encode())
            h.update(b"<missing>" if raw is None else raw)
        return h.hexdigest()[:16]


def list_items(text: str, file: str) -> tuple[A.Literal, ...]:
    """Items of a list file: one per line; blank lines and ``#`` comments skipped.

    Items that look like integers become int literals, everything else strings.
    """
    items = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        item = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not item or item.startswith("#"):
            continue
        col = line.index(item) + 1
        span = A.Span(file, lineno, col, lineno, col + len(item))
        if _INT.fullmatch(item):
            items.append(A.Literal(int(item), "int", span, text=item))
        else:
            items.append(A.Literal(item, "string", span, text=item))
    return tuple(items)


def load_list_file(relative: str, base_file: str, files: Files, at: A.Span) -> tuple[tuple[A.Literal, ...], list[Diagnostic]]:
    path = resolve(base_file, relative)
    text, problems = files.text(path, at, what="list file")
    if text is None:
        return (), problems
    return list_items(text, path), []
