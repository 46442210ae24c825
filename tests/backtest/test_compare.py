"""Champion vs challenger on six hand-made applications (frames.pair)."""
from __future__ import annotations

import polars as pl
import pytest

from riskrules.backtest import BacktestError, RuleMeta, run_backtest

from .frames import pair


@pytest.fixture(scope="module")
def cmp():
    challenger, champion, label, ids = pair()
    r = run_backtest(challenger, rules=[RuleMeta("N", "New velocity rule")], label=label, ids=ids,
                     against=champion, against_rules=[RuleMeta("X", "Old rule"), RuleMeta("R", "Review rule")],
                     against_ruleset={"name": "origination", "version": "1.2.0", "digest": "d0"})
    return r.comparison


def test_transition_matrix(cmp):
    assert cmp.outcomes == ["approve", "review", "decline"]
    # rows: champion; columns: challenger
    assert cmp.transitions == [[2, 1, 1],
                               [0, 0, 1],
                               [1, 0, 0]]
    assert cmp.changed == 4 and cmp.changed_rate == pytest.approx(4 / 6)


def test_attribution_per_rule(cmp):
    got = {r.id: (r.newly_fired, r.no_longer_fired, r.newly_fired_all, r.no_longer_fired_all, r.name)
           for r in cmp.rules}
    assert got == {
        "N": (2, 0, 3, 0, "New velocity rule"),  # rows 1 and 3 changed; row 4 fires N with no change
        "X": (0, 1, 0, 1, "Old rule"),
        "R": (0, 1, 0, 1, "Review rule"),
    }
    assert cmp.rules[0].id == "N"
    assert cmp.changed_without_rule_difference == 1  # row 5: approve -> review, same rules


def test_rates_and_swaps(cmp):
    assert cmp.champion.approval_rate == pytest.approx(4 / 6)
    assert cmp.approval_rate_delta == pytest.approx(3 / 6 - 4 / 6)
    assert cmp.champion.approved_bad_rate == pytest.approx(2 / 4)
    assert cmp.approved_bad_rate_delta == pytest.approx(1 / 3 - 1 / 2)
    assert (cmp.swap_in, cmp.swap_in_labelled, cmp.swap_in_bad_rate) == (1, 1, 0)
    assert (cmp.swap_out, cmp.swap_out_labelled, cmp.swap_out_bad_rate) == (2, 2, 0.5)
    assert cmp.ruleset == {"name": "origination", "version": "1.2.0", "digest": "d0"}


def test_sample_of_changed_rows(cmp):
    assert [(s.row, s.id, s.champion, s.challenger) for s in cmp.sample] == [
        (1, "a1", "approve", "decline"), (2, "a2", "decline", "approve"),
        (3, "a3", "review", "decline"), (5, "a5", "approve", "review")]
    row3 = cmp.sample[2]
    assert (row3.newly_fired, row3.no_longer_fired) == (["N"], ["R"])
    assert (row3.champion_score, row3.challenger_score) == (560.0, 540.0)


def test_sample_is_capped_and_reproducible():
    challenger, champion, label, ids = pair()
    a = run_backtest(challenger, against=champion, sample=2).comparison.sample
    b = run_backtest(challenger, against=champion, sample=2).comparison.sample
    assert len(a) == 2 and a == b and a[0].row < a[1].row and a[0].id is None


def test_row_counts_must_match():
    challenger, champion, _, _ = pair()
    with pytest.raises(BacktestError, match="same input rows"):
        run_backtest(challenger, against=champion.head(5))


def test_identical_rulesets_change_nothing():
    challenger, _, label, _ = pair()
    c = run_backtest(challenger, label=label, against=challenger).comparison
    assert c.changed == 0 and c.rules == [] and c.sample == [] and c.approval_rate_delta == 0
    assert sum(c.transitions[i][i] for i in range(len(c.outcomes))) == 6


def test_null_outcomes_count_as_changes():
    challenger, champion, _, _ = pair()
    challenger = challenger.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(None)
                                         .otherwise(pl.col("outcome")).alias("outcome"))
    assert run_backtest(challenger, against=champion).comparison.changed == 5
