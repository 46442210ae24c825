"""Multi-step jobs behind the CLI: backtesting files and the demo main job.

Each function does the work and returns data; ``the ``book`` commands render it.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..backtest import BacktestResult, rules_of, run_backtest, write_html
from ..data import BOOK_LABEL, column_at, load_book
from ..engine.batch import decide_frame
from ..engine.runtime import Engine
from ..review.frames import review_field


@dataclass
class BacktestRun:
    result: BacktestResult
    engine: Engine
    rows: int


def backtest(ruleset: Path | Engine, data: Path, *, label: str | None = None, against: Path | None = None,
             id_column: str | None = None, now: dt.datetime | None = None,
             on_step: Callable[[str], None] | None = None, bad_value=None, good_value=None) -> BacktestRun:
    """Decide every row of ``data`` with ``ruleset`` (batch backend) and measure it.

    ``ruleset`` is a ruleset file, or an engine already loaded from one. ``bad_value`` /
    ``good_value`` declare the label's coding when it is not 1/0, true/false or bad/good. Each row
    is decided as of the ruleset's ``decision_time`` (``now`` overrides it).
    """
    engine = ruleset if isinstance(ruleset, Engine) else Engine.load(ruleset)
    if label is None and data.is_dir():
        label = BOOK_LABEL
    book = load_book(data, label=label, bad_value=bad_value, good_value=good_value)
    if id_column is None:  # the ruleset's own id field names rows in the sample of changes, when the book has it
        path = review_field(engine.program, "id")
        id_column = ".".join(path) if path and path[0] in book.columns else None
    results = decide_frame(engine, book, now=now)  # each row as of its decision_time unless now is given
    step = on_step or (lambda _s: None)
    step("decide")
    champion = champion_engine = None
    if against is not None:
        champion_engine = Engine.load(against)
        champion = decide_frame(champion_engine, book, now=now)
        step("decide champion")
    result = run_backtest(
        results, rules=rules_of(engine), label=book[label] if label else None,
        ids=column_at(book, id_column, source=str(data)) if id_column else None, against=champion,
        against_rules=rules_of(champion_engine) if champion_engine else (),
        ruleset=engine.ruleset, against_ruleset=champion_engine.ruleset if champion_engine else None,
        data=str(data), on_step=on_step)
    return BacktestRun(result, engine, book.height)


@dataclass
class DemoSummary:
    decisions: Path
    outcomes: dict[str, int]
    book: Path
    report: Path
    backtest: BacktestResult
    review_db: Path
    intake: dict


def demo(out: Path, *, applicants: int = 5_000, seed: int = 7,
         on_step: Callable[[str], None] | None = None) -> DemoSummary:
    """The main job on embedded defaults: screen the shipped samples, simulate a book, backtest it."""
    from ..engine.batchio import run_jsonl
    from ..sim import simulate

    ruleset = _shipped("origination")
    samples = ruleset.parent / "samples" / "applications.jsonl"
    out.mkdir(parents=True, exist_ok=True)
    step = on_step or (lambda _s: None)
    engine = Engine.load(ruleset)
    decisions = out / "decisions.jsonl"  # every decision as of its application's decision_time
    with open(samples, "rb") as src, open(decisions, "w", encoding="utf-8") as dst:
        summary = run_jsonl(engine, src, dst)
    step("screened the shipped samples")
    book = out / "book"
    simulate(seed, applicants, book)
    step("simulated a book")
    run = backtest(engine, book)
    report = out / "report.html"
    write_html(run.result, report)
    (out / "backtest.json").write_text(json.dumps(run.result.to_dict(), ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    step("backtested the ruleset on the book")
    from ..review.ingest import ingest_book
    from ..review.store import Store

    review_db = out / "review.db"
    with Store.open(f"sqlite:///{review_db}") as store:
        intake = ingest_book(engine, store, book, anomaly_path=out / "anomaly.joblib")
    step(f"decided the book one by one into the decision log and review queue ({review_db})")
    return DemoSummary(decisions, dict(summary.outcomes), book, report, run.result, review_db, intake)


def _shipped(name: str) -> Path:
    """A shipped ruleset: from the source tree (editable installs and CI)."""
    here = Path(__file__).resolve().parents[2] / "rulesets" / name / "ruleset.yaml"  # riskrules/cli/jobs.py
    if not here.is_file():
        raise FileNotFoundError(f"the shipped ruleset {name!r} is not at {here}; run from a source checkout")
    return here
