"""RE2 patterns for the regex builtins: compile once, check at check time, vectorise.

Rules run regular expressions on RE2 (linear time), never on Python's ``re``.
Polars' engine (Rust ``regex``) is also linear but reads a few things
differently: ``\\d \\w \\s \\b`` are Unicode there and ASCII in RE2, it has class
set operations (``&&``, ``--``, ``~~``) and nested classes, ``{,n}`` is a
repetition only there, and it lacks ``\\C``, ``\\Q…\\E`` and octal escapes. So a
pattern is handed to polars only when it avoids all of those
(:func:`polars_safe`); any other pattern runs on RE2 per value in batch mode too.
"""
from __future__ import annotations

import functools

import re2

MAX_PATTERN = 1_000


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str):
    """The compiled RE2 pattern; raises ``ValueError`` if RE2 rejects it."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"regular expression longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern)
    except re2.error as e:
        msg = e.args[0] if e.args else str(e)
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        raise ValueError(f"invalid regular expression {pattern!r}: {msg}") from None


def pattern_error(pattern) -> str | None:
    """Why ``pattern`` is not a usable RE2 pattern, or None."""
    if not isinstance(pattern, str):
        return "the pattern must be a string literal"
    try:
        compiled(pattern)
    except ValueError as e:
        return str(e)
    return None


_UNSAFE_ESCAPES = set("dDwWsSbBCQEpPX") | set("0123456789")


def polars_safe(pattern: str) -> bool:
    """Does Rust ``regex`` read ``pattern`` exactly as RE2 does? (conservative)"""
    if "{," in pattern or "(?" in pattern.replace("(?:", "").replace("(?P<", ""):
        return False
    in_class = False
    first = -1  # index of a class's first member: a "]" there is a literal
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] in _UNSAFE_ESCAPES:
                return False
            i += 2
        elif not in_class:
            if c == "[":
                in_class = True
                i += 2 if pattern[i + 1 : i + 2] == "^" else 1
                first = i
            else:
                i += 1
        elif pattern[i : i + 2] in ("&&", "--", "~~"):
            return False
        elif c == "[":  # only a POSIX class like [:alpha:] reads the same
            end = pattern.find(":]", i + 2) if pattern[i + 1 : i + 2] == ":" else -1
            if end < 0:
                return False
            i = end + 2
        else:
            in_class = in_class and not (c == "]" and i != first)
            i += 1
    return not in_class
