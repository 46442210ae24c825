"""Decoding of literal tokens into Python values, and their canonical spelling.

Written by hand on purpose: rule text is untrusted, so no literal goes near
``eval`` or ``ast.literal_eval``. Every decoder either returns a value or raises
:class:`LiteralError` (code and message), which the parser turns into a
positioned diagnostic before any AST is built.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from .._common.time import assume_utc, parse_datetime

MAX_STRING = 4096
MAX_LIST = 10_000

DURATION_UNITS = {
    "ms": dt.timedelta(milliseconds=1),
    "s": dt.timedelta(seconds=1),
    "m": dt.timedelta(minutes=1),
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(weeks=1),
}
_DURATION = re.compile(r"(-?[\d_]+)(ms|s|m|h|d|w)")
_SIMPLE_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}


def literal_kind(value) -> str:
    """The ``Literal.kind`` of a plain Python value (a YAML scalar, a provenance entry); anything else is text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.timedelta):
        return "duration"
    return "string"


class LiteralError(ValueError):
    """A literal that cannot be decoded; ``offset`` is relative to the token."""

    def __init__(self, code: str, message: str, offset: int = 0, length: int = 0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.length = length


def decode_int(text: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:  # more digits than Python converts (sys.int_info)
        raise LiteralError("E102", "integer literal is too long") from None


def decode_number(text: str) -> float:
    value = float(text.replace("_", ""))
    if not math.isfinite(value):
        raise LiteralError("E102", f"number {text} is out of range")
    return value


#: a decimal literal holds at most this many digits (what every backend holds exactly)
MAX_DECIMAL_DIGITS = 38


def decode_decimal(text: str) -> Decimal:
    """``12.50d`` -> ``Decimal("12.50")``: exact, with the digits after the point as written."""
    value = Decimal(text[:-1].replace("_", ""))
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        raise LiteralError("E102", f"decimal {text} has more than {MAX_DECIMAL_DIGITS} digits")
    return abs(value) if not value else value  # -0.00d is 0.00d


def spell_decimal(value: Decimal) -> str:
    """The literal of a decimal, its scale kept: ``Decimal("12.50")`` -> ``12.50d``."""
    if not value.is_finite() or value.as_tuple().exponent >= 0:
        raise ValueError(f"{value!r} has no decimal literal spelling (it needs digits after the point)")
    return f"{value:f}d"


def decode_duration(text: str) -> dt.timedelta:
    m = _DURATION.fullmatch(text)
    if m is None:  # the grammar guarantees the shape
        raise LiteralError("E102", f"invalid duration {text!r}")
    amount = decode_int(m.group(1))
    try:
        return amount * DURATION_UNITS[m.group(2)]
    except OverflowError:
        raise LiteralError("E102", f"duration {text} is out of range") from None


def decode_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise LiteralError("E102", f"invalid date {text}: {e}") from None


def decode_datetime(text: str) -> dt.datetime:
    try:
        return parse_datetime(text)
    except ValueError as e:
        raise LiteralError("E102", f"invalid datetime {text}: {e}") from None


def decode_string(token: str) -> str:
    """Unescape a quoted string token (quotes included): ``"a\\n中"`` -> ``a<newline>中``."""
    body = token[1:-1]
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        esc = body[i + 1] if i + 1 < n else ""
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc == "u":
            code, i = _decode_unicode_escape(body, i)
            out.append(chr(code))
        else:
            raise LiteralError("E102", f"invalid escape sequence '\\{esc}'", offset=1 + i, length=2)
    text = "".join(out)
    if len(text) > MAX_STRING:
        raise LiteralError("E104", f"string literal is longer than {MAX_STRING} characters ({len(text)})")
    return text


def _hex4(body: str, i: int) -> int:
    digits = body[i + 2 : i + 6]
    if len(digits) != 4 or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
        raise LiteralError("E102", "invalid \\u escape: expected 4 hex digits", offset=1 + i, length=2)
    return int(digits, 16)


def _decode_unicode_escape(body: str, i: int) -> tuple[int, int]:
    """Decode ``\\uXXXX`` at ``i`` (a surrogate pair counts as one character)."""
    code = _hex4(body, i)
    if 0xDC00 <= code <= 0xDFFF:
        raise LiteralError("E102", "unpaired surrogate in \\u escape", offset=1 + i, length=6)
    if 0xD800 <= code <= 0xDBFF:
        if body[i + 6 : i + 8] != "\\u":
            raise LiteralError("E102", "unpaired surrogate in \\u escape", offset=1 + i, length=6)
        low = _hex4(body, i + 6)
        if not 0xDC00 <= low <= 0xDFFF:
            raise LiteralError("E102", "unpaired surrogate in \\u escape", offset=1 + i, length=12)
        return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 12
    return code, i + 6


# ------------------------------------------------------------ canonical text

_ESCAPE_OUT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote_string(value: str) -> str:
    """The canonical, double-quoted spelling of a string; any Unicode is kept as is."""
    out = ['"']
    for ch in value:
        if ch in _ESCAPE_OUT:
            out.append(_ESCAPE_OUT[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def spell_number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no literal spelling")
    text = repr(float(value))
    return text


def spell_duration(value: dt.timedelta) -> str:
    """The largest unit that measures ``value`` exactly: 1d, 90m, 500ms."""
    total_us = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if total_us % 1000:
        raise ValueError(f"{value!r} is not a whole number of milliseconds")
    ms = total_us // 1000
    if ms == 0:
        return "0s"
    for unit in ("w", "d", "h", "m", "s", "ms"):
        size = DURATION_UNITS[unit] // dt.timedelta(milliseconds=1)
        if ms % size == 0:
            return f"{ms // size}{unit}"
    raise AssertionError("unreachable")


def spell_datetime(value: dt.datetime) -> str:
    value = assume_utc(value)
    text = value.isoformat()
    if value.utcoffset() == dt.timedelta(0):
        text = text[: -len("+00:00")] + "Z"
    return text
