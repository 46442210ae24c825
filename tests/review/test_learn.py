"""Learning rules from verdicts: conditions as text, checking, saving, promoting."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from riskrules import Engine
from riskrules.engine.testing import run_tests
from riskrules.review.backtest import diagnose
from riskrules.review.frames import Column
from riskrules.review.learn import _conjunction, _ripper_atom, ripper_conditions, tree_conditions
from riskrules.review.learned import LearnedRuleError, promote, read_rules, save_learned_rule
from riskrules.review.store import MakerCheckerViolation, Store

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)


@pytest.fixture
def ruleset(tmp_path) -> Path:
    dst = tmp_path / "origination"
    shutil.copytree(ORIGINATION, dst)
    return dst


@pytest.fixture
def sample() -> dict:
    return json.loads((ORIGINATION / "samples" / "applications.jsonl").read_text(encoding="utf-8").splitlines()[0])


KINDS = {"device.accounts": "int", "dti": "number", "device.rooted": "bool", "device.os==ios": "onehot"}


@pytest.mark.parametrize(("atoms", "text"), [
    ([("device.accounts", ">", 4.5)], "device.accounts >= 5"),
    ([("device.accounts", "<=", 15.5), ("device.accounts", "<=", 9.5)], "device.accounts <= 9"),
    ([("dti", ">", 0.35), ("dti", "<=", 0.8)], "dti > 0.35 and dti <= 0.8"),
    ([("device.rooted", "<=", 0.5)], "not device.rooted"),
    ([("device.os==ios", ">", 0.5)], 'device.os == "ios"'),
    ([("device.os==ios", "<=", 0.5), ("device.accounts", ">", 3.5)], 'device.os != "ios" and device.accounts >= 4'),
])
def test_tree_splits_become_riskrules_text(atoms, text):
    assert _conjunction(atoms, KINDS) == text


@pytest.mark.parametrize(("name", "val", "text"), [
    ("dti", "<0.35", "dti < 0.35"),
    ("dti", ">0.8", "dti >= 0.8"),
    ("dti", "0.35 - 0.8", "dti >= 0.35 and dti < 0.8"),
    ("device.accounts", np.int64(5), "device.accounts == 5"),
    ("device.rooted", True, "device.rooted"),
    ("device.os", "ios", 'device.os == "ios"'),
])
def test_ripper_conditions_become_riskrules_text(name, val, text):
    kinds = {"dti": "number", "device.accounts": "int", "device.rooted": "bool", "device.os": "enum"}
    assert _ripper_atom(name, val, kinds) == text


def _synthetic(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    accounts = rng.choice([1, 1, 1, 2, 3, 5, 6], n)
    contacts = rng.integers(3, 400, n)
    flat = pl.DataFrame({"device.accounts": accounts, "contacts.count": contacts, "dti": rng.random(n)})
    y = ((accounts >= 5) & (contacts <= 15)).astype(int)
    cols = [Column("device.accounts", "int"), Column("contacts.count", "int"), Column("dti", "number")]
    return flat, cols, y


def test_tree_learns_the_planted_condition():
    flat, cols, y = _synthetic()
    w = np.where(y == 1, 20.0, 1.0)
    found = tree_conditions(flat, cols, y, w)
    assert "device.accounts >= 4 and contacts.count <= 15" in found or \
        "contacts.count <= 15 and device.accounts >= 4" in found or \
        any("device.accounts >= 5" in f and "contacts.count <= 15" in f for f in found)


def test_ripper_proposes_a_condition_on_the_right_columns():
    flat, cols, y = _synthetic()
    found = ripper_conditions(flat, cols, y)
    assert found and "device.accounts" in found[0] and "contacts.count" in found[0]


def test_checker_diagnostics_for_a_candidate(ruleset):
    assert diagnose(ruleset, "device.accounts >= 5") == []
    errors = diagnose(ruleset, "device.acounts >= 5")
    assert errors and "acounts" in errors[0]
    assert diagnose(ruleset, 'device.accounts >= "many"')


def test_save_writes_a_shadow_rule_and_a_passing_test(ruleset, sample):
    data = json.loads(json.dumps(sample))
    data["device"]["accounts"], data["contacts"]["count"] = 6, 9
    saved = save_learned_rule(ruleset, "device.accounts >= 5 and contacts.count <= 15", "LRN-001", "review",
                              "SHARED_DEVICE_RING", {"case_ids": [1, 2], "reviewer": "alice"}, data, now=NOW)
    assert "LRN-001" in saved.shadow_fired
    [rule] = read_rules(ruleset)
    assert rule["status"] == "shadow" and rule["provenance"]["case_ids"] == [1, 2]
    engine = Engine.load(ruleset / "ruleset.yaml")
    assert [r.id for r in engine.program.shadow][-1] == "LRN-001"
    report = run_tests(engine, ruleset / "tests" / "learned.yaml")
    assert report.failed == 0 and report.passed == 1
    # saving the same id again replaces the rule and its test
    save_learned_rule(ruleset, "device.accounts >= 6", "LRN-001", "review", "X", {}, data, now=NOW)
    assert [r["when"] for r in read_rules(ruleset)] == ["device.accounts >= 6"]
    assert len(yaml.safe_load((ruleset / "tests" / "learned.yaml").read_text())["cases"]) == 1


def test_save_refuses_a_rule_that_does_not_check_and_restores_files(ruleset, sample):
    before = (ruleset / "learned.yaml").read_text()
    with pytest.raises(LearnedRuleError, match="does not check"):
        save_learned_rule(ruleset, "device.nope >= 5", "LRN-009", "review", "X", {}, sample, now=NOW)
    assert (ruleset / "learned.yaml").read_text() == before
    assert not (ruleset / "tests" / "learned.yaml").exists()


def test_save_reports_a_ruleset_that_does_not_include_learned_yaml(ruleset, sample):
    text = (ruleset / "ruleset.yaml").read_text(encoding="utf-8")
    (ruleset / "ruleset.yaml").write_text(text.replace("include: [learned.yaml]", ""), encoding="utf-8")
    before = (ruleset / "learned.yaml").read_text()
    with pytest.raises(LearnedRuleError, match=r"does not include learned.yaml: add `include: \[learned.yaml\]`"):
        save_learned_rule(ruleset, "device.accounts >= 5", "LRN-001", "review", "X", {}, sample, now=NOW)
    assert (ruleset / "learned.yaml").read_text() == before
    assert diagnose(ruleset, "device.accounts >= 5") == []  # candidates still check on a scratch copy


def test_promote_is_maker_checker_and_flips_the_rule(ruleset, sample, tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'r.db'}")
    data = json.loads(json.dumps(sample))
    data["device"]["accounts"], data["contacts"]["count"] = 6, 9
    p = store.create_proposal("origination", "device.accounts >= 5 and contacts.count <= 15", "alice",
                              action="review", provenance={"rule_id": "LRN-007"})
    save_learned_rule(ruleset, p.expression, "LRN-007", "review", "RING", {"proposal_id": p.id}, data, now=NOW)
    store.set_proposal_status(p.id, "shadow", "alice")
    engine = Engine.load(ruleset / "ruleset.yaml")
    d = engine.decide(data, now=NOW)
    assert "LRN-007" in d.shadow_fired
    store.log_decision(ruleset="origination", version="1", digest=d.ruleset["digest"], outcome=d.outcome,
                       input=data, decision=d.to_dict())
    with pytest.raises(MakerCheckerViolation):
        promote(store, p.id, "alice", ruleset)
    assert read_rules(ruleset)[0]["status"] == "shadow"
    result = promote(store, p.id, "bob", ruleset)
    assert (result.rule_id, result.shadow_hits, result.shadow_decisions) == ("LRN-007", 1, 1)
    rule = read_rules(ruleset)[0]
    assert rule["status"] == "active" and rule["provenance"]["promoted_by"] == "bob"
    assert store.get_proposal(p.id).status == "active"
    active = Engine.load(ruleset / "ruleset.yaml")
    assert "LRN-007" in active.decide(data, now=NOW).fired
    assert run_tests(active, ruleset / "tests" / "learned.yaml").failed == 0
    assert result.test_failures and all("LRN-007" in f for f in result.test_failures)  # fired_exactly cases


HOSTILE = ['x" or true or "', 'back\\slash', 'a\\" == "b', "line\nbreak", "中文\t\"q\""]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_category_values_are_escaped_string_literals(value):
    from riskrules.dsl.parser import parse_expression

    kinds = {f"device.os=={value}": "onehot", "device.os": "enum"}
    for text in (_conjunction([(f"device.os=={value}", ">", 0.5)], kinds),
                 _ripper_atom("device.os", value, kinds)):
        expr = parse_expression(text)  # one comparison, nothing injected
        assert expr.op == "==", text
        assert expr.left.parts == ("device", "os")
        assert expr.right.value == value
    text = _conjunction([(f"device.os=={value}", "<=", 0.5)], kinds)
    assert parse_expression(text).op == "!=" and parse_expression(text).right.value == value


def test_keyword_path_segments_are_backtick_quoted():
    from riskrules.dsl.parser import parse_expression

    kinds = {"device.and==x": "onehot", "applicant.not": "bool"}
    text = _conjunction([("device.and==x", ">", 0.5), ("applicant.not", "<=", 0.5)], kinds)
    assert text == 'device.`and` == "x" and not applicant.`not`'
    parse_expression(text)


def _no_include(ruleset: Path) -> None:
    text = (ruleset / "ruleset.yaml").read_text(encoding="utf-8")
    (ruleset / "ruleset.yaml").write_text(text.replace("include: [learned.yaml]", ""), encoding="utf-8")


def _unwritable_tests(ruleset: Path) -> None:
    # the generated test cannot be written (a folder where the file goes): learned.yaml
    # has already been written by then and must be put back
    (ruleset / "tests" / "learned.yaml").mkdir(parents=True)


@pytest.mark.parametrize(("expression", "break_it", "message"), [
    ("device.nope >= 5", None, "does not check"),
    ("device.accounts >= 5", _no_include, "does not include learned.yaml"),
    ("device.accounts >= 5", _unwritable_tests, "was not saved"),
], ids=["rule-does-not-check", "ruleset-without-include", "test-file-unwritable"])
def test_a_failed_save_leaves_no_proposal_and_the_files_as_they_were(store, ruleset, sample, expression, break_it,
                                                                      message):
    from riskrules.review.learned import propose_learned_rule

    if break_it is not None:
        break_it(ruleset)
    files = _files(ruleset)
    with pytest.raises(LearnedRuleError, match=message):
        propose_learned_rule(store, ruleset, "origination", expression, "alice", action="review", reason="X",
                             case_input=sample, provenance={"case_ids": [1]}, now=NOW)
    assert store.list_proposals() == []
    assert store.audit_log(entity="proposal") == []
    assert _files(ruleset) == files


def _files(ruleset: Path) -> dict:
    # the (empty) lock file next to learned.yaml stays once made: it is no file of the ruleset
    return {p.relative_to(ruleset): p.read_bytes() for p in ruleset.rglob("*") if p.is_file() and p.suffix != ".lock"}


def test_a_saved_rule_is_a_shadow_proposal_with_its_rule_and_test(store, ruleset, sample):
    from riskrules.review.learned import propose_learned_rule

    proposal, saved = propose_learned_rule(
        store, ruleset, "origination", "device.accounts >= 5", "alice", action="review", reason="X",
        case_input=sample, provenance={"case_ids": [1]}, rule_provenance={"reviewer": "alice"}, now=NOW)
    assert saved.rule_id == f"LRN-{proposal.id:03d}"
    assert store.get_proposal(proposal.id).status == "shadow"
    assert [e.action for e in store.audit_log(entity="proposal")] == ["proposal.created", "proposal.status"]
    [rule] = read_rules(ruleset)
    assert (rule["id"], rule["status"], rule["provenance"]) == (
        saved.rule_id, "shadow", {"proposal_id": proposal.id, "reviewer": "alice"})
    assert not list(ruleset.rglob("*.tmp"))


def test_a_learned_file_that_is_a_symlink_stays_one(ruleset, sample, tmp_path):
    """learned.yaml shared through a symlink: the atomic rewrite replaced the link with a
    file of its own, so the file it named (and every ruleset reading it) never got the rule."""
    shared = tmp_path / "shared-learned.yaml"
    (ruleset / "learned.yaml").rename(shared)
    (ruleset / "learned.yaml").symlink_to(shared)
    saved = save_learned_rule(ruleset, "device.accounts >= 5", "LRN-001", "review", "X", {}, sample, now=NOW)
    assert (ruleset / "learned.yaml").is_symlink()
    assert [r["id"] for r in read_rules(ruleset)] == [saved.rule_id]
    assert yaml.safe_load(shared.read_text(encoding="utf-8"))["rules"][0]["id"] == saved.rule_id


def test_learning_reads_features_that_read_features(store, tmp_path):
    # rule learning once sliced the batch plan itself and missed a feature's second level:
    # n2 reads n, which reads the input, and learning raised ColumnNotFoundError
    from riskrules.review.learn import propose, training_set

    path = tmp_path / "ruleset.yaml"
    path.write_text(yaml.safe_dump({
        "ruleset": "names", "version": "1", "schema": {"applicant": {"name": "string", "age": "int"}},
        "features": {"n": "length(applicant.name)", "n2": "n * 2"},
        "rules": [{"id": "MINOR", "when": "applicant.age < 18", "action": "decline"}],
    }), encoding="utf-8")
    engine = Engine.load(path)
    for i in range(12):
        bad = i % 3 == 0
        data = {"applicant": {"name": "x" * (20 + i if bad else 1 + i % 5), "age": 30 + i}}
        decision = store.log_decision(ruleset="names", version="1", digest=engine.program.digest, outcome="approve",
                                      score=0.0, input=data, decision={"outcome": "approve"})
        case = store.enqueue_case(decision.id, amount=0.0, model_score=0.0, evidence={"input": data, "rules_fired": []})
        store.claim(case.id, "alice")
        store.record_verdict(case.id, "alice", "bad" if bad else "good", note=None)

    flat, y, _w, _ids, _bg = training_set(engine, store)
    assert {"n", "n2", "applicant.age"} <= set(flat.columns)
    assert (flat["n2"] == flat["n"] * 2).all() and flat["n"].max() >= 20 and int(y.sum()) == 4
    proposal = propose(engine, store, tmp_path)
    assert proposal.positives == 4 and proposal.candidates
