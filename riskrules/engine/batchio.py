"""JSONL (or a table's rows) in -> JSONL decisions out (``riskrules run``).

A line that is not JSON, or whose input breaks the schema, becomes an error
record carrying its line number, and processing continues: nothing is dropped
silently. The summary counts outcomes, failed lines and rule faults. With an id
column (``--id``) every record, decision or error, carries the input's ``id`` so
decisions join back to their inputs.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import IO

from .._common.json import dumps
from .validate import InputError


@dataclass
class RunSummary:
    decided: int = 0
    failed: int = 0
    rule_errors: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[tuple[int | str, str]] = field(default_factory=list)


def run_jsonl(engine, src: IO[bytes] | IO[str], dst: IO[str], *, now=None, id_column: str | None = None) -> RunSummary:
    """Decide every line of ``src``. Give it a binary stream: each line is decoded as
    UTF-8 on its own, so an undecodable line becomes an error record, not a crash.
    ``id_column`` (a dotted path into each input) is copied into every record as ``id``."""
    s = RunSummary()
    for lineno, raw in enumerate(src, start=1):
        _count(s, dst, lineno, _decide_line(engine, raw, lineno, now, id_column))
    return s


def run_records(engine, records: Iterable[tuple[str, dict]], dst: IO[str], *, now=None,
                id_column: str | None = None) -> RunSummary:
    """Decide already-read inputs (a CSV's or Parquet file's rows, from ``riskrules.data``);
    ``where`` (``line 7``, ``row 7``) names each in its record and the summary."""
    s = RunSummary()
    for where, data in records:
        record = _decide(engine, data, now, id_column)
        record["line" if where.startswith("line ") else "row"] = int(where.split()[-1])
        _count(s, dst, where, record)
    return s


def _count(s: RunSummary, dst: IO[str], where, record: dict | None) -> None:
    if record is None:
        return
    dst.write(dumps(record) + "\n")  # the one JSON policy: an id that is a date is ISO text
    if "error" not in record:
        s.decided += 1
        s.outcomes[record["outcome"]] += 1
        s.rule_errors += len(record.get("errors") or ())
        return
    s.failed += 1
    s.failures.append((where, record["message"]))


def _decide_line(engine, raw: bytes | str, lineno: int, now, id_column: str | None = None) -> dict | None:
    """The output record of one input line (None for a blank line)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            return {"line": lineno, "error": "InvalidUTF8",
                    "message": f"byte {exc.start + 1}: not valid UTF-8 ({exc.reason})"}
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"line": lineno, "error": "InvalidJSON", "message": f"column {exc.colno}: {exc.msg}"}
    out = _decide(engine, data, now, id_column)
    out["line"] = lineno
    return out


def _decide(engine, data, now, id_column: str | None) -> dict:
    """The output record of one input: the decision, or the error that stopped it."""
    try:
        out = engine.decide(data, now=now).to_dict()
    except InputError as exc:
        out = {**exc.to_dict(), "message": str(exc)}
    if id_column is not None:
        out["id"] = _at(data, id_column)
    return out


def _at(data, dotted: str):
    for step in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data
