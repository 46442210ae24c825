"""Reading the files a ruleset names: the ruleset itself, schema, list files, includes.

Every text read is registered in the :class:`SourceCache` so diagnostics can
show the offending line. Paths in spans are the ruleset's directory joined
with the path as written (``rulesets/origination/lists/blocked.txt``).
"""
from __future__ import annotations

import re
from pathlib import Path

from . import ast as A
from .diagnostics import Diagnostic, SourceCache, error
from .limits import MAX_FILE_BYTES

_INT = re.compile(r"-?\d+")


def resolve(base_file: str, relative: str) -> str:
    """``relative`` as written in ``base_file``, as a path to show and open."""
    return str(Path(base_file).parent / relative)


def normalise(text: str) -> str:
    """One newline convention and no byte-order mark, so offsets match line/col."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: str, sources: SourceCache, at: A.Span | None = None, what: str = "file") -> tuple[str | None, list[Diagnostic]]:
    """The text of ``path`` (at most 5 MB, UTF-8), or diagnostics positioned ``at`` the reference."""
    where = at or A.Span(path, 1, 1, 1, 1)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return None, [error("E116", f"cannot read {what} '{path}': {e.strerror or e}", where)]
    if len(raw) > MAX_FILE_BYTES:
        return None, [error("E112", f"{what} '{path}' is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", where)]
    try:
        text = normalise(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return None, [error("E116", f"{what} '{path}' is not UTF-8 text (byte {e.start})", where)]
    sources.add(path, text)
    return text, []


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


def load_list_file(relative: str, base_file: str, sources: SourceCache, at: A.Span) -> tuple[tuple[A.Literal, ...], list[Diagnostic]]:
    path = resolve(base_file, relative)
    text, problems = read_source(path, sources, at, what="list file")
    if text is None:
        return (), problems
    return list_items(text, path), []
