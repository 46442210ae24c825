"""Per-rule and book metrics on a hand-computed eight-row book (see frames.py)."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from riskrules.backtest import BacktestError, RuleMeta, run_backtest
from riskrules.backtest.metrics import score_stats

from .frames import LABEL, RULES, book


@pytest.fixture(scope="module")
def result():
    return run_backtest(book(), rules=RULES, label=LABEL, ruleset={"name": "origination", "version": "1.3.0",
                                                                    "digest": "abc123"}, data="book.csv")


def by_id(result):
    return {r.id: r for r in result.rules}


# id, hits, unique, labelled, bad hits, precision, recall, lift, unique bad hits
# book bad rate = 3 bads / 7 labelled rows
RULE_CASES = [
    ("A", 4, 3, 3, 2, 2 / 3, 2 / 3, (2 / 3) / (3 / 7), 1),
    ("B", 3, 2, 3, 2, 2 / 3, 2 / 3, (2 / 3) / (3 / 7), 1),
    ("S", 2, 1, 2, 1, 1 / 2, 1 / 3, (1 / 2) / (3 / 7), 0),  # shadow: unique = no active rule fired
]


@pytest.mark.parametrize("rid,hits,unique,lab,bad,precision,recall,lift,ubad", RULE_CASES)
def test_rule_stats(result, rid, hits, unique, lab, bad, precision, recall, lift, ubad):
    r = by_id(result)[rid]
    assert (r.hits, r.unique_hits, r.labelled_hits, r.bad_hits, r.unique_bad_hits) == (hits, unique, lab, bad, ubad)
    assert r.hit_rate == pytest.approx(hits / 8)
    assert r.precision == pytest.approx(precision)
    assert r.recall == pytest.approx(recall)
    assert r.lift == pytest.approx(lift)


def test_rule_metadata_is_kept(result):
    r = by_id(result)["S"]
    assert (r.name, r.status, r.action, r.reason) == ("Device velocity", "shadow", "review", "VEL")


def test_overlap_counts_and_jaccard(result):
    ov = result.overlap
    assert ov.ids == ["A", "B", "S"]  # by hits
    assert ov.both == [[4, 1, 0], [1, 3, 1], [0, 1, 2]]
    assert ov.jaccard[0][1] == pytest.approx(1 / 6)  # 1 / (4 + 3 - 1)
    assert ov.jaccard[1][2] == pytest.approx(1 / 4)
    assert ov.jaccard[0][2] == 0
    assert ov.jaccard[0][0] == 1


def test_outcome_mix_and_rates(result):
    s = result.summary
    assert (s.rows, s.labelled, s.bads) == (8, 7, 3)
    assert s.bad_rate == pytest.approx(3 / 7)
    mix = {o.outcome: (o.count, o.labelled, o.bads) for o in s.outcomes}
    assert mix == {"approve": (2, 2, 0), "decline": (6, 5, 3)}
    assert [o.outcome for o in s.outcomes] == ["approve", "decline"]
    assert s.approval_rate == 0.25
    assert s.approved_bad_rate == 0
    assert s.rows_with_errors == 1 and s.error_locations == {"rule:A": 1}
    assert s.unexplained == 1


def test_unlabelled_rows_are_noted(result):
    assert any("1 of 8 rows have no label" in n for n in result.notes)


# scores, labels (1 = bad), AUC of -score, KS, score where KS is reached
SCORE_CASES = [
    # bads at 10 and 30, goods at 20, 40, 50: 5 of 6 bad/good pairs ordered right
    ([10, 20, 30, 40, 50], [1, 0, 1, 0, 0], 5 / 6, 2 / 3, 30),
    # a tie between a bad and a good counts one half
    ([10, 10, 20, 30], [1, 0, 1, 0], 2.5 / 4, 1 / 2, 20),
    ([300, 400, 500, 600], [1, 1, 0, 0], 1.0, 1.0, 400),
]


@pytest.mark.parametrize("scores,labels,auc,ks,at", SCORE_CASES)
def test_auc_and_ks(scores, labels, auc, ks, at):
    st = score_stats(pl.Series(scores, dtype=pl.Float64), pl.Series(labels).cast(pl.Boolean))
    assert st.auc == pytest.approx(auc)
    assert st.gini == pytest.approx(2 * auc - 1)
    assert st.ks == pytest.approx(ks)
    assert st.ks_score == at
    assert st.note is None
    assert st.roc_fpr[0] == 0 and st.roc_tpr[-1] == 1
    assert st.ks_scores == sorted(st.ks_scores)


def test_score_direction_is_stated(result):
    assert "higher score = safer" in result.summary.score.direction


def test_score_distribution(result):
    st = result.summary.score
    assert (st.count, st.missing) == (7, 1)
    assert st.min == 480 and st.max == 700
    assert st.quantiles["p50"] == 620
    h = st.histogram
    assert len(h.edges) == 21 and h.edges[0] == 480 and h.edges[-1] == 700
    assert (sum(h.good), sum(h.bad), sum(h.unlabelled)) == (4, 3, 0)


@pytest.mark.parametrize("labels,why", [
    ([0, 0, 0, 0], "no labelled row is bad"),
    ([1, 1, None, 1], "every labelled row is bad"),
    ([None, None, None, None], "no labelled rows"),
])
def test_one_class_label_gives_a_note_not_a_traceback(labels, why):
    st = score_stats(pl.Series([1.0, 2.0, 3.0, 4.0]), pl.Series(labels, dtype=pl.Int8).cast(pl.Boolean))
    assert st.auc is None and st.ks is None
    assert why in st.note


def test_without_label():
    r = run_backtest(book(), rules=RULES)
    assert r.summary.score.auc is None and "no label" in r.summary.score.note
    a = by_id(r)["A"]
    assert a.hits == 4 and a.precision is None and a.recall is None and a.lift is None
    assert r.summary.bad_rate is None


def test_inverted_score_is_flagged():
    st = score_stats(pl.Series([1.0, 2.0, 3.0, 4.0]), pl.Series([False, False, True, True]))
    assert st.auc == 0 and "direction" in st.note


def test_rule_without_column_falls_back_to_fired_lists():
    r = run_backtest(book().drop("rule:A", "rule:S"), rules=RULES, label=LABEL)
    assert by_id(r)["A"].hits == 4 and by_id(r)["S"].hits == 2


def test_rule_columns_without_metadata_are_reported():
    r = run_backtest(book(), rules=RULES[:1], label=LABEL)
    assert by_id(r)["B"].status == "unknown"
    assert any("without metadata" in n and "B" in n for n in r.notes)


def test_label_length_must_match():
    with pytest.raises(BacktestError, match="label has 3 rows but the results have 8"):
        run_backtest(book(), rules=RULES, label=pl.Series([0, 1, 0]))


def test_results_need_an_outcome():
    with pytest.raises(BacktestError, match="outcome"):
        run_backtest(book().drop("outcome"), rules=RULES)


def test_progress_hook_sees_every_step():
    seen = []
    run_backtest(book(), rules=RULES, label=LABEL, on_step=seen.append)
    assert seen == ["summary", "rules", "overlap"]


def test_a_million_rows_is_vectorised():
    """Not timed: a Python loop over rows would take minutes here, polars takes about a second."""
    n, k = 1_000_000, 30
    rng = np.random.default_rng(7)
    score = rng.normal(600, 50, n)
    bad = rng.random(n) < 1 / (1 + np.exp((score - 520) / 25))
    cols = {f"rule:R{i}": rng.random(n) < 0.01 + 0.002 * i for i in range(k)}
    results = pl.DataFrame({"score": score, **cols}).with_columns(
        outcome=pl.when(pl.col("rule:R0")).then(pl.lit("decline")).otherwise(pl.lit("approve")))
    results = results.with_columns(fired=pl.when(pl.col("rule:R0")).then(pl.lit(["R0"]))
                                   .otherwise(pl.lit([], dtype=pl.List(pl.Utf8))))
    rules = [RuleMeta(f"R{i}", status="active" if i < 25 else "shadow") for i in range(k)]
    r = run_backtest(results, rules=rules, label=pl.Series("bad", bad), against=results,
                     against_rules=rules)
    assert r.summary.rows == n and 0.8 < r.summary.score.auc < 1
    assert r.rules[0].hits == int(cols["rule:R0"].sum())
    assert r.comparison.changed == 0


def test_rows_that_break_the_schema_are_counted():
    frame = book().with_columns(
        input_error=pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("applicant.age: expected int")),
        outcome=pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("outcome")))
    r = run_backtest(frame, rules=RULES, label=LABEL)
    assert r.summary.input_errors == 1
    assert [o.outcome for o in r.summary.outcomes] == ["approve", "decline", "(none)"]
    assert any("not decided" in n for n in r.notes)
