"""Outcome feedback: what became of decided applications (``riskrules outcomes import``).

A file (CSV, JSONL or Parquet) has a ``decision_id`` or an ``application_id``
column, a ``label`` column (``default_90d``, ``fraud`` ...) and optionally
``observed_at``. Every row is checked before anything is written; problems name
the line (or row) and column. An approved application that later went bad opens
a review case: the rules let it through and should not have.

>>> report = import_outcomes(store, "outcomes.csv", engine=engine)   # doctest: +SKIP
>>> report.added, report.cases  # doctest: +SKIP
(120, 48)
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.testing import as_utc
from .evidence import build_evidence
from .history import decision_records
from .store import DecisionRecord, DuplicateCase, Store

BAD_LABELS = frozenset({"default", "default_90d", "fraud", "first_party_fraud", "chargeoff", "bad"})
MAX_PROBLEMS = 20


class OutcomeFileError(Exception):
    """The outcome file cannot be imported; ``problems`` lists ``where: what`` lines."""

    def __init__(self, path, problems: list[str]):
        self.problems = problems
        more = f"\n... and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        super().__init__(f"{path}: cannot import outcomes:\n" + "\n".join(problems[:MAX_PROBLEMS]) + more)


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    cases: int = 0
    case_ids: list[int] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[str, dict]]:
    """(where, row) pairs; ``where`` is ``line N`` (CSV/JSONL) or ``row N`` (Parquet)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise OutcomeFileError(path, ["no such file"])
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            return [(f"line {reader.line_num}", row) for row in reader]
    if suffix in (".jsonl", ".ndjson"):
        out, bad = [], []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
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
            out.append((f"line {n}", row))
        if bad:
            raise OutcomeFileError(path, bad)
        return out
    if suffix in (".parquet", ".pq"):
        import polars as pl

        try:
            df = pl.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - polars/arrow raise many kinds
            raise OutcomeFileError(path, [f"not a readable Parquet file: {exc}"]) from None
        return [(f"row {n}", row) for n, row in enumerate(df.iter_rows(named=True), 1)]
    raise OutcomeFileError(path, [f"unknown file type {suffix or '(none)'}; use .csv, .jsonl or .parquet"])


def import_outcomes(store: Store, path: str | Path, *, engine=None, ruleset: str | None = None,
                    actor: str = "servicing") -> ImportReport:
    """Record every outcome in ``path``; open a case for each approved application gone bad.

    ``engine`` (the ruleset that made the decisions) rebuilds the full evidence;
    without it the case carries the logged decision as evidence.
    """
    path = Path(path)
    rows = read_rows(path)
    if not rows:
        raise OutcomeFileError(path, ["the file has no rows"])
    records = {r.id: r for r in decision_records(store, ruleset)}
    by_app = {str((r.input.get("application") or {}).get("id")): r for r in records.values()}
    parsed, problems = [], []
    for where, row in rows:
        item = _parse(where, row, records, by_app, problems)
        if item is not None:
            parsed.append(item)
    if problems:
        raise OutcomeFileError(path, problems)
    report = ImportReport(rows=len(parsed))
    for decision_id, label, observed_at, record in parsed:
        store.add_outcome(decision_id, label, observed_at=observed_at, actor=actor)
        report.added += 1
        if record is not None and label in BAD_LABELS and record.outcome == "approve":
            case = _open_case(store, record, label, engine)
            if case is not None:
                report.cases += 1
                report.case_ids.append(case.id)
    return report


def _parse(where, row, records, by_app, problems):
    decision_id = _text(row.get("decision_id"))
    app_id = _text(row.get("application_id"))
    label = _text(row.get("label"))
    if decision_id is None and app_id is None:
        problems.append(f"{where}: column decision_id or application_id: missing")
        return None
    if label is None:
        problems.append(f"{where}: column label: missing")
        return None
    record = records.get(decision_id) if decision_id else by_app.get(app_id)
    if decision_id is None:
        if record is None:
            problems.append(f"{where}: column application_id: no logged decision for application {app_id!r}")
            return None
        decision_id = record.id
    observed = row.get("observed_at")
    try:
        observed_at = _when(observed)
    except ValueError:
        problems.append(f"{where}: column observed_at: not an ISO 8601 date or time: {observed!r}")
        return None
    return decision_id, label, observed_at, record


def _text(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _when(v):
    # an empty CSV cell is no time, like a missing column
    return None if v == "" else as_utc(v)


def _open_case(store: Store, record: DecisionRecord, label: str, engine):
    if engine is not None and engine.ruleset["name"] == record.ruleset:
        evidence = build_evidence(engine, record.input, now=record.created_at)
    else:
        evidence = {"input": record.input, **{k: record.decision.get(k) for k in
                    ("fired", "shadow_fired", "models", "ruleset", "outcome", "score", "reasons")}, "links": []}
    evidence["sources"] = [f"outcome:{label}"]
    amount = float((record.input.get("application") or {}).get("amount") or 0.0)
    try:
        # the loss is realised: risk is 1, so priority is the amount at stake
        return store.enqueue_case(record.id, amount=amount, evidence=evidence, model_score=1.0,
                                  priority=amount)
    except DuplicateCase:
        return None
