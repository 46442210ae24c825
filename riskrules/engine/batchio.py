"""JSONL in -> JSONL decisions out (``riskrules run``).

A line that is not JSON, or whose input breaks the schema, becomes an error
record carrying its line number, and processing continues: nothing is dropped
silently. The summary counts outcomes, failed lines and rule faults.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from .._common.json import dumps
from .validate import InputError


@dataclass
class RunSummary:
    decided: int = 0
    failed: int = 0
    rule_errors: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)


def run_jsonl(engine, src: IO[bytes] | IO[str], dst: IO[str], *, now=None) -> RunSummary:
    """Decide every line of ``src``. Give it a binary stream: each line is decoded as
    UTF-8 on its own, so an undecodable line becomes an error record, not a crash."""
    s = RunSummary()
    for lineno, raw in enumerate(src, start=1):
        record = _decide_line(engine, raw, lineno, now)
        if record is None:
            continue
        if "error" not in record:
            dst.write(dumps(record) + "\n")
            s.decided += 1
            s.outcomes[record["outcome"]] += 1
            s.rule_errors += len(record.get("errors") or ())
            continue
        s.failed += 1
        s.failures.append((lineno, record["message"]))
        dst.write(dumps(record) + "\n")
    return s


def _decide_line(engine, raw: bytes | str, lineno: int, now) -> dict | None:
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
    try:
        d = engine.decide(data, now=now)
    except InputError as exc:
        return {"line": lineno, **exc.to_dict(), "message": str(exc)}
    out = d.to_dict()
    out["line"] = lineno
    return out
