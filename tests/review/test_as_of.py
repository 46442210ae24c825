"""The review loop decides as of the declared decision time: the log, ingest, candidate backtests."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from riskrules import Engine
from riskrules.review.backtest import backtest_candidates
from riskrules.review.history import decision_frame
from riskrules.review.ingest import ingest_book
from riskrules.review.learn import Candidate
from riskrules.review.store import Store

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
SAMPLES = ORIGINATION / "samples" / "applications.jsonl"
UTC = dt.timezone.utc
NEW_ACCOUNT = "now() - applicant.registered_at < 72h"


def _inputs(n: int) -> list[dict]:
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()[:n]]


def _as_utc(value: str | dt.datetime) -> dt.datetime:
    t = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'review.db'}") as s:
        yield s


@pytest.fixture
def ruleset(tmp_path) -> Path:
    shutil.copytree(ORIGINATION, tmp_path / "origination", ignore=shutil.ignore_patterns("samples"))
    return tmp_path / "origination"


def _book(tmp_path, rows: list[dict]) -> Path:
    book = tmp_path / "book.jsonl"
    book.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return book


def test_the_decision_log_stores_each_decision_as_of_its_submission(tmp_path, store, ruleset):
    rows = _inputs(30)
    summary = ingest_book(Engine.load(ruleset / "ruleset.yaml"), store, _book(tmp_path, rows))
    assert summary["decided"] == len(rows)
    log, inputs = decision_frame(store, "origination")
    submitted = [_as_utc(i["application"]["submitted_at"]) for i in inputs]  # the log's order
    assert len(set(submitted)) > 1  # the samples span more than one instant
    assert [_as_utc(t) for t in log["created_at"]] == submitted


def test_ingest_now_overrides_the_declared_time(tmp_path, store, ruleset):
    now = dt.datetime(2027, 1, 1, tzinfo=UTC)
    ingest_book(Engine.load(ruleset / "ruleset.yaml"), store, _book(tmp_path, _inputs(5)), now=now)
    log, _ = decision_frame(store, "origination")
    assert {_as_utc(t) for t in log["created_at"]} == {now}


def test_ingest_rejects_an_application_without_its_decision_time(tmp_path, store, ruleset):
    rows = _inputs(5)
    del rows[2]["application"]["submitted_at"]
    summary = ingest_book(Engine.load(ruleset / "ruleset.yaml"), store, _book(tmp_path, rows))
    assert (summary["decided"], summary["rejected"]) == (4, 1)


def test_candidate_backtest_reads_each_decision_as_of_its_own_time(tmp_path, store, ruleset):
    """Hits equal a count made straight from the logged inputs, each at its own submission."""
    rows = _inputs(60)
    # some applications from accounts opened just before them, submitted weeks apart
    for k, r in enumerate(rows[:12]):
        submitted = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(days=7 * k)
        r["application"]["submitted_at"] = submitted.isoformat()
        r["applicant"]["registered_at"] = (submitted - dt.timedelta(hours=5)).isoformat()
    engine = Engine.load(ruleset / "ruleset.yaml")
    ingest_book(engine, store, _book(tmp_path, rows))
    _, inputs = decision_frame(store, "origination")
    expected = sum(_as_utc(i["application"]["submitted_at"]) - _as_utc(i["applicant"]["registered_at"])
                   < dt.timedelta(hours=72) for i in inputs)
    chosen = Candidate(NEW_ACCOUNT, "reviewer")
    backtest_candidates(engine, store, ruleset, [chosen])
    assert not chosen.diagnostics
    assert expected >= 12 and chosen.backtest["hits"] == expected
