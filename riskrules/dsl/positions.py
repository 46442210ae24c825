"""Map character offsets inside parsed text to spans in the real source file.

An expression may be a whole ``.rules`` file, a string handed to
:func:`~riskrules.dsl.parser.parse_expression` with the line and column where
it starts, or a YAML scalar (plain, quoted or block). Each case gives a
*locator*: ``locate(start, end) -> Span`` for offsets into the parsed text.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Sequence

from .ast import Span

Locator = Callable[[int, int], Span]


class LineIndex:
    """1-based (line, col) of a character offset in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def text_locator(file: str, text: str, line: int = 1, col: int = 1, base: int = 0,
                 index: LineIndex | None = None) -> Locator:
    """Offsets into ``text``, which starts at ``line``:``col`` of ``file``.

    ``base`` is added to every offset first (used when a chunk of a larger text
    is parsed on its own; pass the whole text's ``index`` then).
    """
    index = index or LineIndex(text)

    def pos(offset: int) -> tuple[int, int]:
        ln, c = index.position(offset + base)
        return (line, col + c - 1) if ln == 1 else (line + ln - 1, c)

    def locate(start: int, end: int) -> Span:
        a, b = pos(start), pos(max(start, end))
        return Span(file, a[0], a[1], b[0], b[1])

    return locate


def mapped_locator(file: str, file_index: LineIndex, offsets: Sequence[int]) -> Locator:
    """Offsets into a value whose i-th character sits at ``offsets[i]`` of the file."""
    last = len(offsets) - 1

    def file_offset(i: int, is_end: bool) -> int:
        if is_end and i > 0:
            return offsets[min(i - 1, last)] + 1
        return offsets[min(i, last)] if offsets else 0

    def locate(start: int, end: int) -> Span:
        a = file_index.position(file_offset(start, False))
        b = file_index.position(file_offset(max(start, end), True)) if end > start else a
        return Span(file, a[0], a[1], b[0], b[1])

    return locate


_YAML_ESCAPE_LEN = {"x": 4, "u": 6, "U": 10}


def yaml_scalar_offsets(source: str, start: int, end: int, style: str | None, value: str) -> list[int]:
    """For each character of a YAML scalar's ``value``, its offset in ``source``.

    ``start``/``end`` are the node's marks. Works for plain, single- and
    double-quoted and block (``|``/``>``) scalars: non-blank characters are
    matched in order, skipping indentation, folding and quote doubling; escapes
    of double-quoted scalars map to their backslash. One extra entry points
    just past the value.
    """
    if style not in ("|", ">"):
        inner = (start + 1, end - 1) if style in ('"', "'") else (start, end)
        if source[inner[0]:inner[1]] == value:  # written as it reads (no folding or escapes): one to one
            return list(range(inner[0], inner[1] + 1))
    raw_end = end
    p = start
    if style in ("|", ">"):
        nl = source.find("\n", start, end)
        p = nl + 1 if nl >= 0 else end
    elif style in ('"', "'"):
        p = start + 1
        raw_end = end - 1
    out: list[int] = []
    for ch in value:
        if p >= raw_end:
            out.append(max(start, raw_end - 1))
            continue
        if style == '"' and source[p] == "\\":
            p = _skip_yaml_escape(source, p, raw_end, ch, out)
            continue
        if style == "'" and ch == "'" and source.startswith("''", p):
            out.append(p)
            p += 2
            continue
        if ch in " \t\n":
            out.append(p)
            if source[p] in " \t\n":
                p += 1
            continue
        q = p
        while q < raw_end and source[q] != ch and source[q] in " \t\r\n":
            q += 1
        if q < raw_end and source[q] == ch:
            p = q
        out.append(p)
        p += 1
    out.append(min(p, max(start, raw_end)))
    return out


def _skip_yaml_escape(source: str, p: int, raw_end: int, ch: str, out: list[int]) -> int:
    nxt = source[p + 1] if p + 1 < raw_end else ""
    if nxt in "\r\n":  # escaped line break: a continuation, no character
        p += 2
        while p < raw_end and source[p] in " \t\r\n":
            p += 1
        if p < raw_end and source[p] == ch:
            out.append(p)
            return p + 1
        out.append(p)
        return p
    out.append(p)
    return p + _YAML_ESCAPE_LEN.get(nxt, 2)
