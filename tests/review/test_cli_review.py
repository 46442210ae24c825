"""The review loop's commands: ingest, queue list|show|claim|verdict, rules, outcomes.

The sub-apps are mounted on a test app the way ``riskrules`` mounts them.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from riskrules.cli.review import ingest, outcomes_app, queue_app, rules_app

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
SAMPLES = ORIGINATION / "samples" / "applications.jsonl"

app = typer.Typer(pretty_exceptions_enable=False)
app.add_typer(queue_app, name="queue")
app.add_typer(rules_app, name="rules")
app.add_typer(outcomes_app, name="outcomes")
app.command("ingest")(ingest)


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A store filled by ``ingest`` from the shipped samples, with an anomaly model."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(ORIGINATION, root / "origination")
    db = f"sqlite:///{root / 'review.db'}"
    r = run("ingest", SAMPLES, "--ruleset", root / "origination", "--db", db, "--anomaly", root / "an.joblib",
            "--format", "json")
    assert r.exit_code == 0, r.output
    return root, db, json.loads(r.stdout)


def test_ingest_logs_every_sample_and_opens_cases(loaded):
    root, _, summary = loaded
    assert summary["decided"] == summary["logged"] == 300
    assert summary["cases"] > 0 and summary["anomaly_model"].startswith("iforest-origination-")
    assert (root / "an.joblib").is_file()


def test_queue_list_show_claim_verdict(loaded):
    _, db, _ = loaded
    r = run("queue", "list", "--db", db, "--format", "json", "--limit", "3")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert 1 <= len(rows) <= 3 and rows == sorted(rows, key=lambda x: -x["priority"])
    case_id = rows[0]["id"]
    r = run("queue", "show", case_id, "--db", db, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["evidence"]["ruleset"]["name"] == "origination"
    assert run("queue", "show", case_id, "--db", db).exit_code == 0
    r = run("queue", "claim", case_id, "--reviewer", "alice", "--db", db)
    assert r.exit_code == 0 and f"claimed case {case_id}" in r.stdout
    r = run("queue", "verdict", case_id, "bad", "--reviewer", "bob", "--db", db)
    assert r.exit_code == 1 and "bob does not hold" in r.stderr
    r = run("queue", "verdict", case_id, "bad", "--reviewer", "alice", "--note", "ring", "--db", db, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["verdict"] == "bad"
    assert run("queue", "list", "--db", db, "--order", "anomaly").exit_code == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (("queue", "show", "99999"), 1, "no review case 99999"),
    (("queue", "claim", "1"), 2, "--reviewer is required"),
    (("queue", "verdict", "1", "maybe", "-r", "x"), 2, "verdict is one of"),
    (("queue", "list", "--format", "xml"), 2, "--format is text or json"),
    (("queue", "list", "--order", "colour"), 1, "cannot order cases by 'colour'"),
    (("rules", "promote", "1"), 2, "--actor is required"),
    (("rules", "promote", "42", "--actor", "bob"), 1, "no rule proposal 42"),
])
def test_errors_are_one_line_with_exit_codes(loaded, args, code, message):
    _, db, _ = loaded
    r = run(*args, "--db", db)
    assert r.exit_code == code, r.output
    assert message in r.stderr and "Traceback" not in r.output


def test_unreachable_database_is_a_clear_error(tmp_path):
    r = run("queue", "list", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert r.exit_code == 1 and "error:" in r.stderr and "Traceback" not in r.output


def test_rules_propose_needs_labelled_cases(loaded):
    root, db, _ = loaded
    r = run("rules", "propose", "1", "--ruleset", root / "origination", "--db", db)
    assert r.exit_code == 1 and "cases labelled bad" in r.stderr


def test_outcomes_import_and_its_errors(loaded, tmp_path):
    root, db, _ = loaded
    app_id = json.loads(SAMPLES.read_text(encoding="utf-8").splitlines()[0])["application"]["id"]
    good = tmp_path / "o.csv"
    good.write_text(f"application_id,label\n{app_id},default_90d\n", encoding="utf-8")
    r = run("outcomes", "import", good, "--db", db, "--ruleset", root / "origination", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("application_id,label\nNOPE,fraud\n", encoding="utf-8")
    r = run("outcomes", "import", bad, "--db", db)
    assert r.exit_code == 1 and "line 2: column application_id" in r.stderr
    assert run("outcomes", "import", tmp_path / "missing.csv", "--db", db).exit_code == 2


def test_ingest_rejects_unknown_files(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    r = run("ingest", tmp_path / "x.txt", "--ruleset", ORIGINATION, "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert r.exit_code == 1 and "unknown file extension '.txt'" in r.stderr


def test_propose_saves_an_edited_rule_and_promotion_is_maker_checker(tmp_path):
    from riskrules.review.store import Store

    shutil.copytree(ORIGINATION, tmp_path / "origination")
    rs, db = tmp_path / "origination", f"sqlite:///{tmp_path / 'review.db'}"
    assert run("ingest", SAMPLES, "--ruleset", rs, "--db", db, "--anomaly", tmp_path / "an.joblib").exit_code == 0
    with Store.open(db) as store:
        cases = store.list_cases(limit=None)
        assert len(cases) >= 6
        for k, case in enumerate(cases[:6]):
            store.claim(case.id, "alice")
            store.record_verdict(case.id, "alice", "bad" if k % 2 == 0 else "good")
    first = cases[0].id
    r = run("rules", "propose", first, "--ruleset", rs, "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["candidates"]
    r = run("rules", "propose", first, "--ruleset", rs, "--db", db, "--expression", "device.acounts >= 9",
            "--reviewer", "alice")
    assert r.exit_code == 1 and "acounts" in r.stderr
    r = run("rules", "propose", first, "--ruleset", rs, "--db", db, "--expression",
            "device.accounts >= 9 and contacts.count <= 2", "--reviewer", "alice", "--format", "json")
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)["saved"]
    assert saved["rule_id"] == "LRN-001" and "LRN-001" in (rs / "learned.yaml").read_text()
    r = run("rules", "promote", saved["proposal_id"], "--actor", "alice", "--ruleset", rs, "--db", db)
    assert r.exit_code == 1 and "cannot activate it" in r.stderr
    r = run("rules", "promote", saved["proposal_id"], "--actor", "bob", "--ruleset", rs, "--db", db)
    assert r.exit_code == 0, r.output
    assert "LRN-001 is active" in r.stdout and "status: active" in (rs / "learned.yaml").read_text()


def test_stale_claims_are_listed_and_taken_over(store, store_url, make_cases):
    from datetime import datetime, timedelta, timezone

    from riskrules.review.store import Store

    stale, fresh, _ = make_cases(store, 3)
    long_ago = datetime.now(timezone.utc) - timedelta(hours=3)
    with Store.open(store_url, clock=lambda: long_ago) as past:
        past.claim(stale, "ghost")
    assert run("queue", "claim", fresh, "-r", "bob", "--lease", "90", "--db", store_url).exit_code == 0
    assert store.get_case(fresh).claim_expires_at > datetime.now(timezone.utc) + timedelta(minutes=80)

    r = run("queue", "list", "--status", "claimed", "--db", store_url, "--format", "json")
    assert r.exit_code == 0, r.output
    assert {row["id"]: (row["claimed_by"], row["claim_stale"]) for row in json.loads(r.stdout)} == {
        stale: ("ghost", True), fresh: ("bob", False)}
    r = run("queue", "list", "--stale", "--db", store_url)
    assert r.exit_code == 0 and "ghost" in r.stdout and "(stale)" in r.stdout and "bob" not in r.stdout
    assert "1 with a stale claim" in r.stderr

    r = run("queue", "claim", stale, "-r", "alice", "--db", store_url)
    assert r.exit_code == 0 and f"claimed case {stale} for alice until" in r.stdout
    r = run("queue", "verdict", stale, "bad", "-r", "ghost", "--db", store_url)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "ghost's claim on case" in r.stderr and "alice took the case over" in r.stderr
    r = run("queue", "show", stale, "--db", store_url, "--format", "json")
    assert [c["end_reason"] for c in json.loads(r.stdout)["claims"]] == ["expired", None]


@pytest.mark.parametrize("lease", ["0", "-5", "nan", "1e12"])
def test_a_bad_lease_is_a_usage_error(tmp_path, lease):
    r = run("queue", "claim", "-r", "alice", "--lease", lease, "--db", tmp_path / "review.db")
    assert r.exit_code == 2 and "--lease is a number of minutes" in r.stderr and "Traceback" not in r.output


def test_a_failed_promotion_is_one_line_and_leaves_the_rule_in_shadow(tmp_path):
    from riskrules.review.learned import propose_learned_rule, read_rules
    from riskrules.review.store import Store

    shutil.copytree(ORIGINATION, tmp_path / "origination", ignore=shutil.ignore_patterns("samples"))
    rs, db = tmp_path / "origination", f"sqlite:///{tmp_path / 'review.db'}"
    sample = json.loads(SAMPLES.read_text(encoding="utf-8").splitlines()[0])
    with Store.open(db) as store:
        p, _ = propose_learned_rule(store, rs, "origination", "device.accounts >= 5", "alice", action="review",
                                    reason="X", case_input=sample, provenance={"case_ids": [1]})
    (rs / "tests" / "learned.yaml").unlink()
    (rs / "tests" / "learned.yaml").mkdir()  # the generated test cannot be rewritten
    r = run("rules", "promote", p.id, "--actor", "bob", "--ruleset", rs, "--db", db)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.stderr.strip().startswith("error: rule LRN-001 was not promoted (nothing was changed)")
    assert len(r.stderr.strip().splitlines()) == 1
    assert read_rules(rs)[0]["status"] == "shadow"
    with Store.open(db) as store:
        assert store.get_proposal(p.id).status == "shadow"


def test_queue_commands_on_a_store_that_does_not_exist_say_so_and_create_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["queue", "list"], ["queue", "show", "1"], ["queue", "claim", "-r", "alice"],
                 ["rules", "promote", "1", "--actor", "bob"], ["queue", "list", "--db", tmp_path / "typo.db"]):
        r = run(*args)
        assert r.exit_code == 1 and "no review store at" in r.stderr, (args, r.output)
    assert list(tmp_path.iterdir()) == []  # no empty riskrules-review.db left behind


def test_propose_with_a_review_block_reading_decision_outcome(tmp_path):
    """decision.outcome in review: crashed the batch backend (ColumnNotFoundError __d_outcome),
    and propose printed the whole query plan per candidate and exited 0."""
    from riskrules.review.store import Store

    shutil.copytree(ORIGINATION, tmp_path / "origination")
    rs, db = tmp_path / "origination", f"sqlite:///{tmp_path / 'review.db'}"
    text = (rs / "ruleset.yaml").read_text(encoding="utf-8")
    old = "unexplained: models.pd > 0.2 and not rules.any_fired"
    assert old in text
    (rs / "ruleset.yaml").write_text(text.replace(
        old, "unexplained: models.pd > 0.05 and decision.outcome == \"approve\""), encoding="utf-8")
    assert run("ingest", SAMPLES, "--ruleset", rs, "--db", db).exit_code == 0
    with Store.open(db) as store:
        cases = store.list_cases(limit=None)
        assert len(cases) >= 6
        for k, case in enumerate(cases[:6]):
            store.claim(case.id, "alice")
            store.record_verdict(case.id, "alice", "bad" if k % 2 == 0 else "good")
    r = run("rules", "propose", cases[0].id, "--ruleset", rs, "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output[:2000]
    candidates = json.loads(r.stdout)["candidates"]
    assert candidates and all(not c["diagnostics"] and c["backtest"]["decisions"] > 0 for c in candidates)
