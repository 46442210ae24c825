"""Backtesting candidate rules over the stored decisions, with the batch backend.

All candidates are added to a scratch copy of the ruleset as shadow rules and the
logged inputs are decided once; each candidate's ``rule:<id>`` column then gives:

* ``hits`` / ``hit_rate`` — decisions it would have fired on;
* ``precision_labelled`` / ``recall_labelled`` / ``f1_labelled`` — against the cases
  reviewers labelled bad or good;
* ``overlap_existing`` — share of its hits on which an active rule already fired;
* ``approval_rate_change`` — approvals it would have turned into its action.

Each decision is re-made as of its own time: the ruleset's ``decision_time``
field of the logged input, or (a ruleset without one) the time it was logged
as decided, so time-relative features such as a brand-new account read as they
did on the day.
"""
from __future__ import annotations

import polars as pl

from .. import check as check_ruleset
from ..engine.batch import decide_frame
from ..engine.runtime import Engine
from .frames import acting_rules, frame_of
from .history import decision_frame
from .learned import error_lines, rule_dict, scratch_ruleset
from .store import Store


def candidate_id(k: int) -> str:
    return f"CANDIDATE-{k + 1}"


def diagnose(ruleset_dir, expression: str, action: str | None = "review") -> list[str]:
    """The checker's errors for one expression, as ``code: message`` lines (empty when it checks)."""
    tmp, path = scratch_ruleset(ruleset_dir, [rule_dict("CANDIDATE", expression, action, "CANDIDATE")])
    with tmp:
        return error_lines(check_ruleset(path))


def backtest_candidates(engine, store: Store, ruleset_dir, candidates, *, action: str = "review") -> None:
    """Fill each candidate's ``backtest`` (or ``diagnostics`` when it does not check)."""
    for c in candidates:
        c.diagnostics = diagnose(ruleset_dir, c.expression, action)
    good = [c for c in candidates if not c.diagnostics]
    if not good:
        return
    log, inputs = decision_frame(store, engine.ruleset["name"])
    if not inputs:
        for c in good:
            c.backtest = {"decisions": 0}
        return
    labels = {lc.case.decision_id: lc.verdict for lc in store.labelled_cases(engine.ruleset["name"])}
    label = pl.Series("label", [labels.get(d) for d in log["decision_id"]], dtype=pl.String)
    active = [f"rule:{rid}" for rid in acting_rules(engine.program)]
    # each logged decision again as of its own time: the declared decision time, else when it was decided
    frame = frame_of(inputs)
    now = None if engine.program.decision_time is not None else log["created_at"]
    try:
        groups = [list(enumerate(good))]
        results = [_decide_with(ruleset_dir, groups[0], action, frame, now)]
    except Exception:  # noqa: BLE001 - one candidate may break compilation of the lot: try one by one
        groups, results = [], []
        for k, c in enumerate(good):
            try:
                results.append(_decide_with(ruleset_dir, [(k, c)], action, frame, now))
                groups.append([(k, c)])
            except Exception as exc:  # noqa: BLE001 - reported on the candidate, never raised
                # one line: a polars error's text goes on with the whole query plan
                first = (str(exc).strip().splitlines() or [""])[0]
                c.diagnostics = [f"engine: the ruleset with this rule does not run: {type(exc).__name__}: {first}"]
    for group, result in zip(groups, results):
        for k, c in group:
            c.backtest = measure(result[f"rule:{candidate_id(k)}"].fill_null(False), result, label, active, log)


def _decide_with(ruleset_dir, numbered, action, frame, now) -> pl.DataFrame:
    extra = [rule_dict(candidate_id(k), c.expression, action, "CANDIDATE") for k, c in numbered]
    tmp, path = scratch_ruleset(ruleset_dir, extra)
    with tmp:
        scratch = Engine.load(path)
    return decide_frame(scratch, frame, now=now)


def measure(hit: pl.Series, result: pl.DataFrame, label: pl.Series, active: list[str], log: pl.DataFrame) -> dict:
    n = len(hit)
    hits = int(hit.sum())
    bad = label == "bad"
    good = label == "good"
    tp = int((hit & bad).fill_null(False).sum())
    fp = int((hit & good).fill_null(False).sum())
    n_bad = int(bad.fill_null(False).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n_bad if n_bad else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cols = [c for c in active if c in result.columns]
    existing = result.select(pl.any_horizontal([pl.col(c).fill_null(False) for c in cols])).to_series() if cols \
        else pl.Series([False] * n)
    overlap = int((hit & existing).sum())
    approved = log["outcome"] == "approve"
    flipped = int((hit & approved).sum())
    return {
        "decisions": n, "hits": hits, "hit_rate": round(hits / n, 6) if n else 0.0,
        "labelled_hits": tp + fp, "precision_labelled": round(precision, 4), "recall_labelled": round(recall, 4),
        "f1_labelled": round(f1, 4), "overlap_existing": round(overlap / hits, 4) if hits else 0.0,
        "approval_rate_before": round(int(approved.sum()) / n, 6) if n else 0.0,
        "approval_rate_change": round(-flipped / n, 6) if n else 0.0,
    }
