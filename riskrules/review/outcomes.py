"""Outcome feedback: what became of decided applications (``riskrules outcomes import``).

A file (CSV, JSONL or Parquet, read by :mod:`riskrules.data`) has a ``decision_id``
column or an application id column (``application_id`` unless named otherwise),
a label column (``label`` unless named otherwise) and optionally ``observed_at``.
An application id is matched against the logged inputs' field that the ruleset's
``review: id`` names.

A label is read by the one convention of :mod:`riskrules.data.labels`: ``1`` /
``true`` / ``bad`` or a named bad outcome (``default_90d``, ``fraud`` ...) is bad;
``0`` / ``false`` / ``good`` is good; anything else is refused until its coding is
declared (``bad_value`` / ``good_value``). Every row is checked before anything is
written; problems name the line (or row) and column. An approved application that
later went bad opens a review case: the rules let it through and should not have.

>>> report = import_outcomes(store, "outcomes.csv", engine=engine)   # doctest: +SKIP
>>> report.added, report.cases  # doctest: +SKIP
(120, 48)
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..data import DataError, is_jsonl, jsonl_objects, label_key, label_meanings, load_data, row_place, rows
from ..engine.testing import as_utc
from .evidence import build_evidence
from .frames import amount_of, review_field, value_at
from .history import decision_records
from .store import DecisionRecord, DuplicateCase, Store

# named outcomes that mean the loan went bad; recorded under their own name
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
    path = Path(path)
    if not path.is_file():
        raise OutcomeFileError(path, ["no such file"])
    try:
        if is_jsonl(path):
            return [(f"line {n}", row) for n, row in jsonl_objects(path)]
        return [(row_place(path, n), row) for n, row in enumerate(rows(load_data(path, text=True)), 1)]
    except DataError as exc:
        raise OutcomeFileError(path, [_without_path(exc)]) from None


def _without_path(exc: DataError) -> str:
    # the OutcomeFileError names the file once
    return str(exc).removeprefix(f"{exc.path}: ") if exc.path else str(exc)


def import_outcomes(store: Store, path: str | Path, *, engine=None, ruleset: str | None = None,
                    actor: str = "servicing", label: str = "label", id_column: str = "application_id",
                    bad_value=None, good_value=None) -> ImportReport:
    """Record every outcome in ``path``; open a case for each approved application gone bad.

    ``engine`` (the ruleset that made the decisions) rebuilds the full evidence and
    names the input fields (``review: id``, ``review: amount``) outcome rows are matched
    on and cases prioritised by; without it, rows must carry a ``decision_id``.
    ``bad_value`` / ``good_value`` declare a label coding other than the convention's.
    """
    path = Path(path)
    rows_ = read_rows(path)
    if not rows_:
        raise OutcomeFileError(path, ["the file has no rows"])
    values = [r.get(label) for _, r in rows_]
    try:
        meanings = label_meanings(values, column=label, bad_value=bad_value, good_value=good_value,
                                  also_bad=BAD_LABELS, counts=Counter(map(label_key, values)))
    except DataError as exc:
        raise OutcomeFileError(path, [_without_path(exc)]) from None
    records = {r.id: r for r in decision_records(store, ruleset)}
    id_path = review_field(engine.program, "id") if engine is not None else None
    by_app = ({str(value_at(r.input, id_path)): r for r in records.values()} if id_path else None)
    parsed, problems = [], []
    for where, row in rows_:
        item = _parse(where, row, records, by_app, problems, label, id_column)
        if item is not None:
            parsed.append(item)
    if problems:
        raise OutcomeFileError(path, problems)
    report = ImportReport(rows=len(parsed))
    for decision_id, value, observed_at, record in parsed:
        bad = meanings[label_key(value)]
        name = _recorded_name(label_key(value), bad, label, declared=bad_value is not None or good_value is not None)
        store.add_outcome(decision_id, name, observed_at=observed_at, actor=actor)
        report.added += 1
        if record is not None and bad and record.outcome == "approve":
            case = _open_case(store, record, name, engine)
            if case is not None:
                report.cases += 1
                report.case_ids.append(case.id)
    return report


def _recorded_name(key: str, bad: bool, column: str, *, declared: bool) -> str:
    """What the store records: a named outcome as named, a flag as the label column's name
    (``default_90d`` = 1 is a ``default_90d``) or ``bad`` / ``good``."""
    if not declared and (key in BAD_LABELS or key == "good"):
        return key
    if bad:
        return column if column != "label" else "bad"
    return "good"


def _parse(where, row, records, by_app, problems, label_column, id_column):
    decision_id = _text(row.get("decision_id"))
    app_id = _text(row.get(id_column))
    label = _text(row.get(label_column))
    if decision_id is None and app_id is None:
        problems.append(f"{where}: column decision_id or {id_column}: missing")
        return None
    if label is None:
        problems.append(f"{where}: column {label_column}: missing")
        return None
    if decision_id is None and by_app is None:
        problems.append(f"{where}: column {id_column}: no input field to match it on "
                        f"(give the ruleset, whose review block names it: id: application.id)")
        return None
    record = records.get(decision_id) if decision_id else by_app.get(app_id)
    if decision_id is None:
        if record is None:
            problems.append(f"{where}: column {id_column}: no logged decision for application {app_id!r}")
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
    amount = amount_of(record.input, review_field(engine.program, "amount") if engine is not None else None)
    try:
        # the loss is realised: risk is 1, so priority is the amount at stake
        return store.enqueue_case(record.id, amount=amount, evidence=evidence, model_score=1.0,
                                  priority=amount)
    except DuplicateCase:
        return None
