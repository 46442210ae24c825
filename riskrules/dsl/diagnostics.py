"""One error model for every stage: ``Diagnostic(code, severity, message, span, hint)``.

Stages collect diagnostics instead of raising on the first problem; the caller
sorts them by position and renders them as::

    rulesets/origination/ruleset.yaml:14:11: E201: unknown field 'applicant.agee'
       14 |     when: applicant.agee < 18
          |           ^^^^^^^^^^^^^^
          = hint: did you mean 'applicant.age'?

Codes are stable (registered in :mod:`.codes`, documented in docs/diagnostics.md)
so that CI scripts and editors can match on them. ``E`` codes are errors, ``W``
codes warnings.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .codes import registered

if TYPE_CHECKING:  # the AST's module is not needed to report or render (the CLI starts without it)
    from .ast import Span


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: str  # "error" | "warning"
    message: str
    span: Span
    hint: str | None = None

    def __post_init__(self) -> None:
        if not registered(self.code, self.severity):
            raise ValueError(f"diagnostic code {self.code!r} ({self.severity}) is not registered: "
                             "add it to riskrules/dsl/codes.py and docs/diagnostics.md")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self):
        s = self.span
        return (s.file, s.line, s.col, self.code, self.message)

    def to_dict(self) -> dict:
        s = self.span
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": s.file,
            "line": s.line,
            "col": s.col,
            "end_line": s.end_line,
            "end_col": s.end_col,
            "hint": self.hint,
        }

    def headline(self) -> str:
        s = self.span
        return f"{s.file}:{s.line}:{s.col}: {self.code}: {self.message}"


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, "error", message, span, hint)


def warning(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, "warning", message, span, hint)


class RulesetError(Exception):
    """Raised when a ruleset cannot be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: "SourceCache | None" = None):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.sources = sources
        super().__init__(render_plain(self.diagnostics, sources))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else None


def source_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor counts them (and as every span does): split at
    line feeds, CR LF and lone CR only. ``str.splitlines`` also breaks at VT, FF, NEL, LS
    and PS, so a diagnostic after one of those showed the wrong source line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class SourceCache:
    """File texts by path, so rendering can show the offending line.

    Parsers register the text they read (``add``); files not registered are
    read from disk on demand.
    """

    def __init__(self) -> None:
        self._texts: dict[str, list[str]] = {}

    def add(self, path: str, text: str) -> None:
        self._texts[path] = source_lines(text)

    def line(self, path: str, lineno: int) -> str | None:
        lines = self._texts.get(path)
        if lines is None:
            try:
                lines = source_lines(Path(path).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                lines = []
            self._texts[path] = lines
        if 1 <= lineno <= len(lines):
            return lines[lineno - 1]
        return None


def render_one(d: Diagnostic, sources: SourceCache | None = None) -> str:
    out = [d.headline()]
    s = d.span
    src = (sources or SourceCache()).line(s.file, s.line)
    if src is not None:
        gutter = str(s.line)
        pad = " " * len(gutter)
        text = src.replace("\t", " ")
        width = (s.end_col - s.col) if s.end_line == s.line and s.end_col > s.col else 1
        width = max(1, min(width, len(text) - s.col + 1 if len(text) >= s.col else 1))
        text, col, width = _clip(text, s.col, width)
        out.append(f" {gutter} | {text}")
        out.append(f" {pad} | {' ' * (col - 1)}{'^' * width}")
        if d.hint:
            out.append(f" {pad} = hint: {d.hint}")
    elif d.hint:
        out.append(f"    = hint: {d.hint}")
    return "\n".join(out)


_MAX_SHOWN = 120


def _clip(text: str, col: int, width: int) -> tuple[str, int, int]:
    """A window of a long source line around the caret (generated or hostile input)."""
    if len(text) <= _MAX_SHOWN:
        return text, col, width
    start = max(0, min(col - 1 - _MAX_SHOWN // 3, len(text) - _MAX_SHOWN))
    shown = text[start : start + _MAX_SHOWN]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + _MAX_SHOWN < len(text) else ""
    col = col - start + len(prefix)
    width = max(1, min(width, len(shown) + len(prefix) - col + 1))
    return prefix + shown + suffix, col, width


def render_plain(diagnostics: Iterable[Diagnostic], sources: SourceCache | None = None) -> str:
    return "\n".join(render_one(d, sources) for d in diagnostics)


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2)
