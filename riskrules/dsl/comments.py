"""Comments kept through ``riskrules fmt``: collected while reading, placed while printing.

A comment belongs to an *item*, named by its logical key: the path the item
has in the YAML format, ``("rules", 3, "when")``, ``("features", "dti")``,
``("schema", "applicant", "age")`` (optional fields without their ``?``).
Both readers attach every comment of the main file to such a key and keep the
result in ``ruleset.extra["comments"]`` (so ``same_ast`` ignores comments);
both printers know the key of every line they write and print each comment on
its own line(s) just before the line of its key, indented like it.

How a comment at position *p* is attached (:func:`attach`), given the items
with their start and (where known) content end:

* a trailing comment (code before it on its line) belongs to the first item
  that starts on that line, ``when: x > 1  # note`` to the ``when``,
  ``- id: R1  # note`` to the rule (on a continuation line: to the deepest item
  spanning it);
* any other comment belongs to the next item that starts after it, unless it
  sits inside an item that the next one is not part of (after the last line of
  an expression, say): then it belongs to that enclosing item;
* a comment after the last item belongs to the end of the file.

A key the printer does not write (a default left out, ``on_error: review``)
falls back to its nearest written ancestor, then, at the top level, to the next
written section. A comment that still has no place is printed at the end under
a note (:data:`UNPLACED_NOTE`): ``fmt`` never drops a comment.

>>> attach([Comment("# why", A.Span("f", 1, 1, 1, 6))], [Anchor(("rules", 0), (2, 3), (3, 9))], ["# why"])[0].key
('rules', 0)
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from . import ast as A

#: the top-level sections in the order both printers write them
SECTIONS = ("ruleset", "version", "description", "on_error", "decision_time", "schema", "lists", "features", "models",
            "outcomes", "rules", "tables", "decision", "review", "include", "tests")

UNPLACED_NOTE = "# riskrules fmt: the items these comments were written at are not printed; kept here"

Key = tuple
Pos = tuple  # (line, col), 1-based


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment line: its text from ``#`` on (trailing blanks removed) and where it was."""

    text: str
    span: A.Span
    key: Key | None = None  # the item it belongs to; None: the end of the file


@dataclass(frozen=True, slots=True)
class Anchor:
    """An item a comment can belong to: its key, where it starts and where its content ends."""

    key: Key
    start: Pos
    end: Pos | None = None  # None: not known (the item never encloses a comment)


# -- collecting ---------------------------------------------------------------------

_SINK: contextvars.ContextVar[list | None] = contextvars.ContextVar("riskrules_comment_sink", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[list[Comment]]:
    """Collect the comments every parse inside the block meets (``.rules`` files and expressions)."""
    found: list[Comment] = []
    token = _SINK.set(found)
    try:
        yield found
    finally:
        _SINK.reset(token)


def collecting_active() -> bool:
    return _SINK.get() is not None


def record(comments: Iterable[Comment]) -> None:
    """Hand comments found by a successful parse to the enclosing :func:`collecting` block."""
    sink = _SINK.get()
    if sink is not None:
        sink.extend(comments)


def comment(text: str, span: A.Span) -> Comment:
    return Comment(text.rstrip(), span)


# -- attaching ----------------------------------------------------------------------


def attach(comments: Sequence[Comment], anchors: Sequence[Anchor], lines: Sequence[str]) -> tuple[Comment, ...]:
    """``comments`` in file order, each with the key of the item it belongs to (see the module doc).

    ``lines`` are the lines of the file, to tell trailing comments from whole-line ones.
    """
    ordered = sorted(anchors, key=lambda a: (a.start, len(a.key)))
    starts = [a.start for a in ordered]
    by_key = {a.key: a for a in ordered}
    out = []
    for c in sorted(comments, key=lambda c: (c.span.line, c.span.col)):
        pos = (c.span.line, c.span.col)
        i = bisect_right(starts, pos)
        before = ordered[i - 1] if i else None
        after = ordered[i] if i < len(ordered) else None
        chain = list(_chain(before, by_key))  # the item just before and its ancestors, deepest first
        line = lines[c.span.line - 1] if c.span.line <= len(lines) else ""
        key = None
        if line[: c.span.col - 1].strip():  # trailing: the first item on its line, else one spanning it
            first = bisect_right(starts, (pos[0], 0))
            if first < i and ordered[first].start[0] == pos[0]:
                key = ordered[first].key
            else:
                key = next((a.key for a in chain if a.start[0] <= pos[0] <= (a.end or a.start)[0]), None)
        if key is None:
            inside = next((a for a in chain if a.end is not None and a.start < pos < a.end), None)
            if after is not None and (inside is None or after.key[: len(inside.key)] == inside.key):
                key = after.key
            elif inside is not None:
                key = inside.key
        out.append(dataclasses.replace(c, key=key))
    return tuple(out)


def _chain(anchor: Anchor | None, by_key: dict) -> Iterator[Anchor]:
    if anchor is None:
        return
    for n in range(len(anchor.key), 0, -1):
        a = by_key.get(anchor.key[:n])
        if a is not None and a.start <= anchor.start:
            yield a


# -- placing ------------------------------------------------------------------------


def place(lines: list[str], line_of: dict[Key, int], comments: Sequence[Comment], *, escape=None) -> str:
    """``lines`` joined, each comment on its own line before the line of its key (see the module doc).

    ``line_of`` maps keys to indices into ``lines``; ``escape`` rewrites a
    comment's text for the output format.
    """
    before: dict[int, list[str]] = {}
    end: list[str] = []
    unplaced: list[str] = []
    for c in comments:
        text = escape(c.text) if escape else c.text
        if c.key is None:
            end.append(text)
            continue
        at = _line_for(c.key, line_of)
        if at is None:
            unplaced.append(text)
        else:
            before.setdefault(at, []).append(text)
    out = []
    for i, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip(" "))]
        out += [indent + t for t in before.get(i, ())]
        out.append(line)
    out += end
    if unplaced:
        out += [UNPLACED_NOTE, *unplaced]
    return "\n".join(out) + "\n"


def _line_for(key: Key, line_of: dict[Key, int]) -> int | None:
    for n in range(len(key), 0, -1):
        if key[:n] in line_of:
            return line_of[key[:n]]
    if key and key[0] in SECTIONS:  # a section left out: before the next one written
        for name in SECTIONS[SECTIONS.index(key[0]) + 1:]:
            if (name,) in line_of:
                return line_of[(name,)]
    return None


def comments_of(rs: A.Ruleset) -> tuple[Comment, ...]:
    """The comments a reader attached to ``rs`` (none for a ruleset built in code)."""
    return tuple(rs.extra.get("comments", ()))
