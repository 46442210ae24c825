"""Lark's parse exceptions, translated into E100 diagnostics a risk analyst can read.

``unexpected ')' — expected an expression`` instead of a traceback naming
``RPAR`` and ``__ANON_3``.
"""
from __future__ import annotations

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from .diagnostics import Diagnostic, error
from .positions import Locator

#: what a regular-expression terminal is called in messages
TERMINAL_NAMES = {
    "NAME": "a name",
    "QNAME": "a `quoted` name",
    "INT": "an integer",
    "DECIMAL": "a number",
    "MONEY": "a decimal amount",
    "STRING": "a string",
    "DURATION": "a duration",
    "DATE": "a date",
    "DATETIME": "a datetime",
    "$END": "end of input",
}

#: terminals that can start an expression; when all the important ones are
#: expected, the message says "an expression" instead of listing them
_OPERAND_START = {"NAME", "QNAME", "INT", "DECIMAL", "MONEY", "STRING", "DURATION", "DATE", "DATETIME",
                  "TRUE", "FALSE", "NULL", "LPAR", "LSQB", "MINUS", "NOT", "IF"}
_OPERAND_CORE = {"NAME", "INT", "STRING"}
_MAX_LISTED = 8


def describe_terminal(lark: Lark, name: str) -> str:
    if name in TERMINAL_NAMES:
        return TERMINAL_NAMES[name]
    term = _terminals(lark).get(name)
    if term is not None and isinstance(term.pattern, PatternStr):
        return f"'{term.pattern.value}'"
    return name.lower()


def _terminals(lark: Lark) -> dict:
    cache = getattr(lark, "_riskrules_terms", None)
    if cache is None:
        cache = {t.name: t for t in lark.terminals}
        lark._riskrules_terms = cache  # type: ignore[attr-defined]
    return cache


def describe_expected(lark: Lark, expected: set[str]) -> str:
    names = set(expected)
    parts: list[str] = []
    if _OPERAND_CORE <= names:
        parts.append("an expression")
        names -= _OPERAND_START
    words = sorted(describe_terminal(lark, n) for n in names)
    parts.extend(w for w in words if w not in parts)
    if len(parts) > _MAX_LISTED:
        parts = parts[:_MAX_LISTED] + ["…"]
    if not parts:
        return ""
    if len(parts) == 1:
        return f"expected {parts[0]}"
    return "expected one of " + ", ".join(parts)


def _describe_token(token) -> str:
    kind = token.type
    if kind == "$END":
        return "end of input"
    if kind in ("NAME", "QNAME"):
        return f"name '{token.value}'"
    if kind == "STRING":
        return f"string {token.value}"
    text = str(token.value)
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}…'"


def _end_of_content(text: str) -> int:
    """Just past the last non-blank character: where "unexpected end of input" points."""
    end = len(text.rstrip())
    comment = text.rfind("#", 0, end)
    if comment >= 0 and "\n" not in text[comment:end] and not _in_string(text, comment):
        end = len(text[:comment].rstrip())
    return end


def _in_string(text: str, index: int) -> bool:
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def syntax_diagnostic(exc: UnexpectedInput, lark: Lark, text: str, locate: Locator) -> Diagnostic:
    """One E100 diagnostic for a lark exception, positioned via ``locate``."""
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(getattr(exc, "accepts", None) or exc.expected)
        if token.type == "$END":
            start = end = _end_of_content(text)
        else:
            start, end = token.start_pos, token.end_pos
        what = _describe_token(token)
        message = f"unexpected {what}"
    elif isinstance(exc, UnexpectedCharacters):
        start = exc.pos_in_stream
        end = start + 1
        ch = text[start] if start < len(text) else ""
        expected = set(exc.allowed or ())
        if ch in "\"'":
            message = "unterminated string"
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            expected = set()
        elif ch == "`":
            message = "unterminated `quoted` name"
            expected = set()
        else:
            message = f"unexpected character {ch!r}"
    elif isinstance(exc, UnexpectedEOF):
        start = end = _end_of_content(text)
        expected = set(exc.expected)
        message = "unexpected end of input"
    else:  # pragma: no cover - lark has no other kinds
        start = end = 0
        expected = set()
        message = str(exc)
    wanted = describe_expected(lark, expected)
    if wanted:
        message = f"{message} — {wanted}"
    return error("E100", message, locate(start, end))
