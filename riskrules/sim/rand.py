"""Seeded random streams, one per concern.

Each part of the book draws from its own stream (seed + a stable name hash), so
adding a column to one table never shifts the values of another.
"""
from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """The random generator for ``name`` under ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def weighted(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indices drawn with probability proportional to ``weights``."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def zipf_weights(k: int, s: float = 1.0) -> np.ndarray:
    """Popularity weights of ``k`` ranked items (a few big, a long tail)."""
    return 1.0 / np.arange(1, k + 1) ** s


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
