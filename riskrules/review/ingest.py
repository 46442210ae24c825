"""Deciding a whole book through intake: the decision log and the queue filled in one go.

Used by ``riskrules ingest`` and the demo. Each application is decided one by one
(the per-event path a service uses), logged in the background and screened for
review, exactly as in production.

>>> ingest_book(engine, store, Path("book"), anomaly_path=Path("anomaly.joblib"))  # doctest: +SKIP
{'decided': 20000, 'logged': 20000, 'rejected': 0, 'cases': 131, 'anomaly_model': '...'}
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from .. import InputError
from ..data import is_jsonl, jsonl_objects, load_book, rows
from .anomaly import AnomalyScorer
from .frames import number_fields
from .intake import DecisionLog, Intake
from .store import Store


def read_book(path: Path, top_fields: list[str]) -> pl.DataFrame | list[dict]:
    """A simulated book folder, a Parquet or CSV file as a frame of the schema's top-level
    fields; a JSONL file as dicts (a bad line is named by its number). Read by
    :mod:`riskrules.data`, which raises its ``DataError``."""
    if is_jsonl(path):
        return [row for _, row in jsonl_objects(path)]
    df = load_book(Path(path))
    return df.select([c for c in top_fields if c in df.columns])


def _rows(book, numbers: dict[str, str]) -> Iterator[dict]:
    return iter(book) if isinstance(book, list) else rows(book, numbers=numbers)


def ingest_book(engine, store: Store, book: Path, *, anomaly_path: Path | None = None,
                now: dt.datetime | None = None) -> dict:
    """Decide every application of ``book``; returns counts. Fits and saves the anomaly
    model at ``anomaly_path`` on this book when the file does not exist yet.

    Each application is decided as of the ruleset's ``decision_time`` (``now``
    overrides it for all); one without its decision time is rejected."""
    top = [name for name, _, _ in engine.program.schema.fields]
    data = read_book(Path(book), top)
    scorer = None
    if anomaly_path is not None:
        if Path(anomaly_path).is_file():
            scorer = AnomalyScorer.load(anomaly_path)
        else:
            frame = data if isinstance(data, pl.DataFrame) else pl.from_dicts(data, infer_schema_length=None)
            scorer = AnomalyScorer.fit(engine, frame, now=now)
            scorer.save(anomaly_path)
    log = DecisionLog(store, block=True)  # a bulk load waits for the writer rather than drop
    intake = Intake(engine, store, log=log, anomaly=scorer)
    decided = rejected = 0
    try:
        for row in _rows(data, number_fields(engine.program)):
            try:
                decision = engine.decide(row, now=now)
            except InputError:
                rejected += 1
                continue
            intake.process(decision, row)
            decided += 1
    finally:
        stats = log.close()
    if stats.failed or stats.dropped:
        raise ValueError(f"decision log: {stats.failed} failed and {stats.dropped} dropped of {stats.submitted}: "
                         + "; ".join(stats.errors[:3]))
    return {"decided": decided, "logged": stats.written, "rejected": rejected, "cases": stats.cases,
            "anomaly_model": scorer.version if scorer else None}
