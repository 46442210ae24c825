"""Input records one at a time: JSONL read line by line, tables row by row.

The engine decides dicts; a bad JSONL line should be named by its line number (and
the rest still read), which a whole-file reader cannot do. Tables (CSV, Parquet, a
simulated book) come from :func:`riskrules.data.load_book`, dotted columns nested.

    >>> for where, record in records(Path("apps.csv")):   # doctest: +SKIP
    ...     engine.decide(record)
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .errors import DataError
from .tables import READERS, column_at, load_book, row_place, rows

JSONL = (".jsonl", ".ndjson")
MAX_SHOWN = 20


def is_jsonl(path: str | Path) -> bool:
    return Path(path).suffix.lower() in JSONL


def jsonl_objects(path: str | Path) -> list[tuple[int, dict]]:
    """``(line, object)`` for every non-blank line; one :class:`DataError` listing every
    line that is not a JSON object (``data.unreadable``)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("data.missing_file", "no such file", path=str(path))
    out, bad = [], []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise DataError("data.unreadable", f"cannot read: {exc}", path=str(path)) from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(f"line {n}: not JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(row, dict):
            bad.append(f"line {n}: expected a JSON object")
            continue
        out.append((n, row))
    if bad:
        more = f"; … and {len(bad) - MAX_SHOWN} more" if len(bad) > MAX_SHOWN else ""
        raise DataError("data.unreadable", "; ".join(bad[:MAX_SHOWN]) + more, path=str(path))
    if not out:
        raise DataError("data.empty", "file has no records", path=str(path))
    return out


def records(path: str | Path, *, require: tuple[str, ...] = (),
            numbers: dict[str, str] | None = None) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` for every input of a JSONL / CSV / Parquet file or a simulated
    book folder; ``where`` is ``line N`` or ``row N`` as :func:`row_place` says.

    A table is read (and ``require``'s columns, dotted paths such as ``application.id``,
    checked) before the first record is returned, so a bad file fails before any output.
    ``numbers`` is as for :func:`riskrules.data.rows`."""
    path = Path(path)
    if is_jsonl(path):
        return ((f"line {n}", row) for n, row in jsonl_objects(path))
    if not path.is_dir() and path.suffix.lower() not in READERS:
        raise DataError("data.extension", f"unknown file extension {path.suffix or '(none)'!r}", path=str(path),
                        hint="use .csv, .jsonl or .parquet, or a simulated book folder")
    df = load_book(path)
    for column in require:
        column_at(df, column, source=str(path))
    return ((row_place(path, n), row) for n, row in enumerate(rows(df, numbers=numbers), 1))
