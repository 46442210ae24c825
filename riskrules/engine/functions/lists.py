"""Builtins over list values: sizes, sums, extremes and set comparisons.

Missing items inside a list are not counted by ``sum``, ``mean``, ``list_min``
and ``list_max`` (as in polars); ``count`` counts every item.
"""
from __future__ import annotations

import polars as pl

from ..types import ANY, BOOL, INT, NUMBER, Type, comparable, list_of
from . import ArgTypeError, builtin
from ._common import ORDERED, list_item, int_or_number

ANY_LIST = list_of(ANY)


def sum_type(args: list[Type]) -> Type:
    return int_or_number([list_item(args[0])])


def item_type(args: list[Type]) -> Type:
    item = list_item(args[0])
    if item.name not in ORDERED + ("any", "null"):
        raise ArgTypeError(f"items of type {item} cannot be ordered")
    return item


def bool_if_comparable(args: list[Type]) -> Type:
    _check_comparable(args)
    return BOOL


def int_if_comparable(args: list[Type]) -> Type:
    _check_comparable(args)
    return INT


def _check_comparable(args: list[Type]) -> None:
    a, b = list_item(args[0]), list_item(args[1])
    if not comparable(a, b):
        raise ArgTypeError(f"items of type {a} and {b} cannot be compared")


def _present(xs):
    return [x for x in xs if x is not None]


@builtin("count", [ANY_LIST], INT, polars=lambda xs: xs.list.len().cast(pl.Int64))
def count(xs: list) -> int:
    """Number of items: `count(applicant.phones) > 3`."""
    return len(xs)


@builtin("distinct_count", [ANY_LIST], INT,
         polars=lambda xs: xs.list.n_unique().cast(pl.Int64))
def distinct_count(xs: list) -> int:
    """Number of different items: `distinct_count(application.device_ids) >= 3`."""
    return len(set(xs))


@builtin("sum", [list_of(NUMBER)], sum_type, polars=lambda xs: xs.list.sum())
def sum_(xs: list):
    """Sum of the items, 0 for an empty list: `sum(loan.overdue_amounts) > 5000`."""
    return sum(_present(xs))


@builtin("mean", [list_of(NUMBER)], NUMBER, polars=lambda xs: xs.list.mean())
def mean(xs: list):
    """Arithmetic mean, missing for an empty list: `mean(bureau.utilizations) > 0.8`."""
    present = _present(xs)
    return sum(present) / len(present) if present else None


@builtin("list_min", [ANY_LIST], item_type, polars=lambda xs: xs.list.min())
def list_min(xs: list):
    """Smallest item, missing for an empty list: `list_min(loans.opened_on)`."""
    present = _present(xs)
    return min(present) if present else None


@builtin("list_max", [ANY_LIST], item_type, polars=lambda xs: xs.list.max())
def list_max(xs: list):
    """Largest item, missing for an empty list: `list_max(loans.days_past_due) >= 30`."""
    present = _present(xs)
    return max(present) if present else None


@builtin("overlaps", [ANY_LIST, ANY_LIST], bool_if_comparable,
         polars=lambda a, b: a.list.set_intersection(b).list.len() > 0)
def overlaps(a: list, b: list) -> bool:
    """Do the lists share an item? `overlaps(applicant.contacts, blocked_phones)`."""
    return not set(a).isdisjoint(b)


@builtin("count_in", [ANY_LIST, ANY_LIST], int_if_comparable,
         polars=lambda a, b: a.list.set_intersection(b).list.len().cast(pl.Int64))
def count_in(a: list, b: list) -> int:
    """Number of different items of `a` that are in `b`: `count_in(contacts, overdue_phones) >= 2`."""
    return len(set(a) & set(b))


@builtin("all_in", [ANY_LIST, ANY_LIST], bool_if_comparable,
         polars=lambda a, b: a.list.set_difference(b).list.len() == 0)
def all_in(a: list, b: list) -> bool:
    """Is every item of `a` in `b` (true for an empty `a`)? `all_in(transfer.categories, allowed)`."""
    return set(a) <= set(b)
