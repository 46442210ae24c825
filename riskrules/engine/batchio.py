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

from .validate import InputError


@dataclass
class RunSummary:
    decided: int = 0
    failed: int = 0
    rule_errors: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)


def run_jsonl(engine, src: IO[str], dst: IO[str], *, now=None) -> RunSummary:
    s = RunSummary()
    for lineno, line in enumerate(src, start=1):
        if not line.strip():
            continue
        record = None
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            record = {"line": lineno, "error": "InvalidJSON", "message": f"column {exc.colno}: {exc.msg}"}
        else:
            try:
                d = engine.decide(data, now=now)
            except InputError as exc:
                record = {"line": lineno, **exc.to_dict(), "message": str(exc)}
            else:
                out = d.to_dict()
                out["line"] = lineno
                dst.write(json.dumps(out, ensure_ascii=False) + "\n")
                s.decided += 1
                s.outcomes[d.outcome] += 1
                s.rule_errors += len(d.errors)
                continue
        s.failed += 1
        s.failures.append((lineno, record["message"]))
        dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    return s
