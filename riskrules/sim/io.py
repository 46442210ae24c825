"""Reading a simulated book back and turning rows into engine inputs."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from riskrules._common.json import dumps
from riskrules.data import BOOK_FILE as APPLICATIONS_FILE
from riskrules.data import load_data
from riskrules.sim.nesting import INPUT_COLUMNS


def load_applications(path: str | Path) -> pl.DataFrame:
    """The applications table of a book (``path`` is the book folder or the Parquet file).

    >>> df = load_applications("out")                     # doctest: +SKIP
    >>> df.select("application", "applicant").row(0, named=True)["applicant"]["age"]  # doctest: +SKIP
    34
    """
    path = Path(path)
    if path.is_dir():
        path = path / APPLICATIONS_FILE
    if not path.is_file():
        raise ValueError(f"no applications table at {path}")
    return load_data(path)


def iter_inputs(df: pl.DataFrame, batch_size: int = 10_000) -> Iterator[dict]:
    """Engine-ready nested dicts, one per application; dates and datetimes stay objects.

    >>> for event in iter_inputs(df):                        # doctest: +SKIP
    ...     decision = engine.decide(event)
    """
    inputs = df.select(INPUT_COLUMNS)
    for offset in range(0, inputs.height, batch_size):
        yield from inputs.slice(offset, batch_size).iter_rows(named=True)


def write_samples_jsonl(df: pl.DataFrame, path: str | Path, n: int) -> Path:
    """Write the first ``n`` applications as JSON lines, dates and datetimes as ISO strings."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in iter_inputs(df.head(n)):
            fh.write(dumps(row) + "\n")
    return path
