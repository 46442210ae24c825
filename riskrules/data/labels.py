"""What a label value means: one convention for backtests and outcome imports.

A label says whether a loan went bad. Read the same way everywhere:

* bad  — ``1``, ``true``, ``bad`` (and, for outcome files, a named bad outcome such
  as ``default_90d`` or ``fraud``);
* good — ``0``, ``false``, ``good``;
* null / empty — no performance yet (e.g. a declined application).

Anything else (``2``, ``yes``, the German credit set's 1 = good / 2 = bad) is refused
with the column, the values seen and how to declare the coding (``--bad-value 2
--good-value 1``). A value is never flipped or guessed.

>>> label_meanings([0, 1, None], column="bad_12m")
{'0': False, '1': True}
>>> label_meanings([1, 2], column="kredit", bad_value="2", good_value="1")
{'1': False, '2': True}
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from .errors import DataError

BAD_VALUES = frozenset({"1", "true", "bad"})
GOOD_VALUES = frozenset({"0", "false", "good"})


def label_key(value) -> str | None:
    """A label value as the text the convention compares: ``1.0`` is ``1``, ``True`` is ``true``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip().lower()
    return text or None


def label_meanings(values: Iterable, *, column: str, source: str | None = None, bad_value=None,
                   good_value=None, also_bad: Iterable[str] = (), counts: dict | None = None) -> dict[str, bool]:
    """The meaning of each distinct value (by :func:`label_key`): True = bad, False = good.

    ``bad_value`` / ``good_value`` declare a coding of the user's own; with ``bad_value``
    alone, the one other value seen is good. ``also_bad`` adds named bad outcomes.
    Raises :class:`DataError` (``data.column_type``) naming what it cannot read.
    """
    originals: dict[str, object] = {}
    for v in values:
        k = label_key(v)
        if k is not None:
            originals.setdefault(k, v)
    seen = list(originals)
    if bad_value is not None:
        bad = frozenset({label_key(bad_value)})
        if good_value is not None:
            good = frozenset({label_key(good_value)})
        else:
            others = [k for k in seen if k not in bad]
            if len(others) > 1:
                raise _refused(column, source, others, originals, counts,
                               f"--bad-value {bad_value} leaves more than one other value; "
                               f"name the good one too (--good-value)")
            good = frozenset(others)
        if bad & good:
            raise DataError("data.column_type", f"{bad_value!r} cannot be both the bad and the good value",
                            path=source, column=column)
    else:
        bad, good = BAD_VALUES | {label_key(v) for v in also_bad}, GOOD_VALUES
    unknown = [k for k in seen if k not in bad and k not in good]
    if unknown:
        raise _refused(column, source, unknown, originals, counts, None)
    return {k: k in bad for k in seen}


def _refused(column, source, unknown: list[str], originals: dict, counts: dict | None,
             why: str | None) -> DataError:
    shown = ", ".join(repr(originals[k]) + (f" ({counts[k]} rows)" if counts and k in counts else "") for k in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    message = why or ("a label must say which rows went bad (1 / true / bad) and which did not "
                      "(0 / false / good)")
    return DataError("data.column_type", f"{message}; found {shown}{more}", path=source, column=column,
                     hint="declare the coding, e.g. --bad-value 2 --good-value 1, or recode the column "
                          "(bad = 1 if days_past_due >= 90 else 0)")
