"""Outputs: JSON round trip, the self-contained HTML report, the rich tables."""
from __future__ import annotations

import json
import re

import polars as pl
import pytest
from rich.console import Console

from riskrules.backtest import BacktestResult, RuleMeta, render_html, render_rich, run_backtest, write_html

from .frames import LABEL, RULES, book, pair

RULESET = {"name": "origination", "version": "1.3.0", "digest": "0123456789abcdef"}


@pytest.fixture(scope="module")
def full():
    """Every section present: label, score, overlap, and a champion."""
    challenger, champion, label, ids = pair()
    r = run_backtest(book(), rules=RULES, label=LABEL, ruleset=RULESET, data="books/2024q4 <test>.csv")
    c = run_backtest(challenger, rules=[RuleMeta("N", "<b>new</b>")], label=label, ids=ids, against=champion,
                     against_ruleset={"name": "origination", "version": "1.2.0", "digest": "d0"})
    r.comparison = c.comparison
    return r


def test_json_round_trip(full):
    text = json.dumps(full.to_dict(), allow_nan=False)  # no NaN may leak into JSON
    back = BacktestResult.from_dict(json.loads(text))
    assert back == full
    assert back.to_dict() == full.to_dict()


def test_json_round_trip_without_label_or_champion():
    r = run_backtest(book(), rules=RULES)
    assert BacktestResult.from_dict(json.loads(json.dumps(r.to_dict(), allow_nan=False))) == r


def test_html_is_self_contained_and_escaped(full, tmp_path):
    path = write_html(full, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|iframe|img)\b", html, re.I)
    assert "src=" not in html and "@import" not in html and "url(" not in html
    assert html.count("<svg") >= 5  # histogram, ROC, KS, hits, overlap, attribution
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 收入负债比过高" in html
    assert "&lt;b&gt;new&lt;/b&gt;" in html and "<b>new</b>" not in html
    assert "books/2024q4 &lt;test&gt;.csv" in html
    assert "0123456789abcdef" in html and "1.3.0" in html
    for section in ("Blended score", "Outcome mix", "Rules", "Champion vs challenger", "AUC", "KS"):
        assert section in html


def test_html_without_label_or_scores_says_why():
    r = run_backtest(book().drop("score"), rules=RULES)
    html = render_html(r)
    assert "no &#x27;score&#x27; column" in html or "no 'score' column" in html
    assert "Champion vs challenger" not in html


def test_html_with_no_hits():
    frame = book().with_columns(pl.lit(False).alias(c) for c in ("rule:A", "rule:B", "rule:S"))
    html = render_html(run_backtest(frame.drop("fired"), rules=RULES, label=LABEL))
    assert "no rule fired" in html


def test_rich_tables_print_names_literally(full):
    console = Console(record=True, width=140, color_system=None)
    render_rich(full, console)
    out = console.export_text()
    assert "origination 1.3.0" in out
    assert "<script>alert(1)</script>" in out  # not interpreted, not dropped
    for heading in ("rules by hits", "outcome mix", "blended score", "overlap", "transitions",
                    "which rules changed them", "sample of changed rows"):
        assert heading in out
    rules_block = out[out.index("rules by hits"):]
    assert rules_block.index("A ") < rules_block.index("B ") < rules_block.index("S ")  # sorted by hits


def test_rich_tables_with_markup_in_names():
    r = run_backtest(book(), rules=[RuleMeta("A", "[bold red]not markup[/]"), *RULES[1:]], label=LABEL)
    console = Console(record=True, width=140, color_system=None)
    render_rich(r, console)
    assert "[bold red]not markup[/]" in console.export_text()
