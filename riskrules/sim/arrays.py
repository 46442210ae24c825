"""Small numpy helpers for one-to-many tables without Python loops."""
from __future__ import annotations

from typing import Callable

import numpy as np


def expand(count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, j)`` for ``count[i]`` child rows per parent: parent index and 0-based position."""
    count = np.asarray(count, dtype=np.int64)
    owner = np.repeat(np.arange(count.size), count)
    starts = np.cumsum(count) - count
    return owner, np.arange(owner.size) - starts[owner]


def rank_in_group(group: np.ndarray) -> np.ndarray:
    """Position of each element among the elements of its group (stable order)."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, group.size]))
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(group.size) - run_start
    return rank


def pool_slots(group: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Each member's slot in the pools of its group, laid end to end (``pool[g]`` slots for group g).

    Members take their group's slots in turn, so a ring of 12 with a pool of 3 puts
    four members on each shared device, card or phone.
    """
    offset = np.r_[0, np.cumsum(pool)[:-1]].astype(np.int64)
    return offset[group] + rank_in_group(group) % pool[group]


def distinct(draw: Callable[[int], np.ndarray], count: int, spare: int = 8) -> np.ndarray:
    """``count`` distinct values from ``draw(k)`` (k random values), in first-drawn order.

    Repeats are dropped and only the shortfall (plus ``spare``) is drawn again.
    """
    out = np.empty(0, dtype=np.int64)
    while out.size < count:
        merged = np.concatenate([out, draw(count - out.size + spare)])
        _, first = np.unique(merged, return_index=True)
        out = merged[np.sort(first)]
    return out[:count]


def unique_codes(rng: np.random.Generator, count: int, bits: int = 60) -> np.ndarray:
    """``count`` distinct random non-negative integers below ``2**bits``."""
    return distinct(lambda k: rng.integers(0, 2**bits, k, dtype=np.int64), count)
