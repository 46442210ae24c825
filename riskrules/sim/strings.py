"""Vectorised string building.

A million identity numbers or phone numbers cannot be formatted in a Python loop
within the time budget, so fixed-width ASCII values are assembled as a byte matrix
in numpy and handed to Arrow as one buffer; variable text goes through polars.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def ascii_rows(matrix: np.ndarray) -> pl.Series:
    """One string per row of a ``(n, width)`` uint8 matrix of ASCII codes."""
    n, width = matrix.shape
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.Series(pl.from_arrow(arr)).cast(pl.String)


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits (as ASCII codes) of non-negative integers."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, dtype=np.int64)[:, None] // powers) % 10 + 48).astype(np.uint8)


def hex_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded lowercase hex digits (as ASCII codes) of non-negative integers."""
    shifts = 4 * np.arange(width - 1, -1, -1, dtype=np.uint64)
    nibbles = (np.asarray(values, dtype=np.uint64)[:, None] >> shifts) & np.uint64(15)
    return _HEX[nibbles.astype(np.intp)]


def prefixed(prefix: str, matrix: np.ndarray) -> pl.Series:
    """``prefix`` followed by each row of an ASCII matrix, e.g. ``APP0000123``."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    full = np.concatenate([np.broadcast_to(head, (matrix.shape[0], head.size)), matrix], axis=1)
    return ascii_rows(full)


def pick(choices, idx: np.ndarray) -> pl.Series:
    """``choices[idx]`` as a polars String series."""
    return pl.Series(list(choices), dtype=pl.String).gather(np.asarray(idx, dtype=np.int64))
