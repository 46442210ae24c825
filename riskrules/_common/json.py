"""JSON for everything riskrules writes: one policy, one walk, one fast path.

Decisions, the decision log, review evidence, backtest output and the command line
all write JSON through :func:`dumps` (text) or :func:`to_jsonable` (plain values),
so the same value is always spelt the same way, whichever writer met it.

The policy (what a value becomes):

==============================  ==================================================
Python value                    JSON
==============================  ==================================================
str, bool, None, int, float     themselves (numbers stay numbers)
float NaN, +inf, -inf           ``null``
Decimal                         a string of its exact digits: ``"1234.50"``
                                (Decimal NaN and infinities: ``null``)
int longer than Python's        a string of its exact digits
int-to-text limit (4,300
digits by default)
datetime                        ISO 8601 with its offset:
                                ``"2026-03-01T09:00:00+08:00"``; a naive one is
                                read as UTC (``+00:00``), as everywhere else
date, time                      ISO 8601: ``"2026-03-01"``, ``"09:30:00"``
timedelta                       seconds, a number: ``5400.0``
list, tuple                     an array
set, frozenset                  an array, sorted (numbers by value, text by code
                                point; mixed kinds by kind, then by JSON text)
dict, any Mapping               an object; keys spelt as ``json.dumps`` spells
                                them (``True`` -> ``"true"``, ``None`` ->
                                ``"null"``, ``1.5`` -> ``"1.5"``, NaN ->
                                ``"NaN"``), dates and Decimals as above, any other
                                key as ``str(key)``
numpy scalars and arrays        their Python values (``np.int64(3)`` -> ``3``)
file paths (``os.PathLike``)    their text: ``"rulesets/origination"``
anything else                   ``TypeError``
==============================  ==================================================

Why these choices:

* **NaN and infinities are null.** JSON has no such numbers. Python's encoder
  writes bare ``NaN``/``Infinity`` tokens, which JavaScript's ``JSON.parse``,
  PostgreSQL ``jsonb`` and most other parsers reject, so one NaN would make a whole
  log line or column unreadable. ``null`` is also what the rule language means by
  such a value: a missing number, on which no comparison holds. The sign of an
  infinity is lost; a value that must survive exactly should not be a float.
* **Decimals are strings.** Money is exact; a JSON number is read back as a binary
  float by almost every consumer, and ``0.1 + 0.2`` is not ``0.3``. The string is
  ``format(d, "f")`` (``"0.00000000"``, never exponent form such as ``"0E-8"``), which
  ``Decimal(text)`` reads back to the same value and scale.
* **Huge integers are strings.** Python refuses to turn an integer of more than
  4,300 digits into text (a guard against quadratic conversion); writing one must
  not crash a log writer, and dropping it would lose data, so its exact digits go
  out as a string (made through ``decimal``, which has no such limit).
* **Durations are seconds**, the unit every consumer can do arithmetic on.
* **Keys as json.dumps spells them**, so the fast path (the C encoder) and the
  walk write byte-identical text for everything the fast path accepts.

:func:`dumps` tries the C encoder first (dates, Decimals and the like through its
``default`` hook) and falls back to the walk only for what that encoder refuses
(NaN, huge integers, odd keys); the decision log's writer relies on that speed.

>>> dumps({True: float("nan"), "amount": Decimal("10.50"), "waited": dt.timedelta(minutes=90)})
'{"true": null, "amount": "10.50", "waited": 5400.0}'
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .time import assume_utc

__all__ = ["dumps", "to_jsonable"]

_SAFE_BITS = 14_000  # under 4,215 decimal digits: always below the default 4,300-digit limit


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``value`` as JSON text under the module's policy (UTF-8 text, not ASCII-escaped).

    Raises TypeError for a value the policy has no spelling for, ValueError for one
    nested too deeply (or containing itself).
    """
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=to_jsonable,
                          indent=indent, sort_keys=sort_keys)
    except (TypeError, ValueError):
        pass  # NaN, a huge int or an odd key: the walk spells those
    try:
        plain = to_jsonable(value)
    except RecursionError:
        raise ValueError("the value is nested too deeply (or contains itself) to write as JSON") from None
    return json.dumps(plain, ensure_ascii=False, allow_nan=False, indent=indent, sort_keys=sort_keys)


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON values (dict, list, str, int, float, bool, None)."""
    t = type(value)
    if t is str or t is bool or value is None:
        return value
    if t is int:
        return _int(value)
    if t is float:
        return value if math.isfinite(value) else None
    if t is dict:
        return {_key(k): to_jsonable(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [to_jsonable(v) for v in value]
    return _other(value)


def _other(value: Any) -> Any:
    # subclasses and the less common types; order matters (bool < int, datetime < date)
    if isinstance(value, str):
        return str.__str__(value)  # the text itself, as the C encoder writes it (not an enum's str())
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _int(int(value))
    if isinstance(value, float):
        return to_jsonable(float(value))
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, dt.datetime):
        return assume_utc(value).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return _sorted([to_jsonable(v) for v in value])
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return to_jsonable(value.tolist())  # numpy scalars and arrays, without importing numpy
    if isinstance(value, os.PathLike):
        return to_jsonable(os.fspath(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _int(value: int) -> int | str:
    if value.bit_length() <= _SAFE_BITS:
        return value
    try:
        int.__repr__(value)  # within the interpreter's int-to-text limit (which may be raised)
        return value
    except ValueError:
        return str(Decimal(value))  # exact digits; decimal has no such limit


def _key(k: Any) -> str:
    if isinstance(k, str):
        return str.__str__(k)
    if k is True or k is False or k is None:
        return "true" if k is True else "false" if k is False else "null"
    if isinstance(k, int):
        v = _int(int(k))
        return v if isinstance(v, str) else int.__repr__(v)
    if isinstance(k, float):
        if math.isfinite(k):
            return float.__repr__(k)
        return "NaN" if k != k else "Infinity" if k > 0 else "-Infinity"
    if type(k).__module__ == "numpy" and hasattr(k, "tolist"):
        return _key(k.tolist())
    if isinstance(k, (Decimal, dt.date, dt.time)):
        v = to_jsonable(k)
        return "null" if v is None else v
    return str(k)


_KIND = {type(None): 0, bool: 1, int: 2, float: 2, str: 3, list: 4, dict: 5}


def _sorted(items: list) -> list:
    try:
        return sorted(items)
    except TypeError:  # mixed kinds (1 and "a"), or arrays and objects
        return sorted(items, key=lambda v: (_KIND.get(type(v), 6), json.dumps(v, sort_keys=True)))
