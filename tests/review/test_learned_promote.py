"""Promoting a learned rule is all or nothing: the store proposal becomes active only
if learned.yaml and its test are rewritten and the ruleset still checks."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from riskrules import Engine
from riskrules.review.learned import LearnedRuleError, promote, propose_learned_rule, read_rules
from riskrules.review.store import MakerCheckerViolation, Store

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)


@pytest.fixture
def ruleset(tmp_path) -> Path:
    dst = tmp_path / "origination"
    shutil.copytree(ORIGINATION, dst, ignore=shutil.ignore_patterns("samples"))
    return dst


@pytest.fixture
def shadow_rule(store: Store, ruleset: Path) -> int:
    """Alice's rule LRN-<id>, in shadow in the store and in learned.yaml, with its test."""
    sample = json.loads((ORIGINATION / "samples" / "applications.jsonl").read_text(encoding="utf-8").splitlines()[0])
    proposal, _ = propose_learned_rule(store, ruleset, "origination", "device.accounts >= 5", "alice",
                                       action="review", reason="X", case_input=sample,
                                       provenance={"case_ids": [1]}, now=NOW)
    assert proposal.id is not None
    return proposal.id


def _state(store: Store, ruleset: Path) -> tuple:
    """Everything a promotion may change: proposals, audit entries, files (bytes and modes)."""
    proposals = [(p.id, p.status, p.promoted_by, p.updated_at) for p in store.list_proposals()]
    audit = [(e.id, e.action, e.detail) for e in store.audit_log()]
    files = {p.relative_to(ruleset): (p.read_bytes(), p.stat().st_mode)
             for p in ruleset.rglob("*") if p.is_file() and p.suffix != ".lock"}  # the lock file stays once made
    return proposals, audit, files


def _tests_file_is_a_folder(ruleset: Path) -> None:
    # learned.yaml is rewritten first, then the test cannot be: learned.yaml must come back
    (ruleset / "tests" / "learned.yaml").unlink()
    (ruleset / "tests" / "learned.yaml").mkdir()


def _ruleset_does_not_check(ruleset: Path) -> None:
    # someone edited the ruleset since the rule was saved
    path = ruleset / "ruleset.yaml"
    text = path.read_text(encoding="utf-8")
    assert "cn_id_valid(applicant.id_number)" in text
    path.write_text(text.replace("cn_id_valid(applicant.id_number)", "cn_id_valid(applicant.id_numbr)"),
                    encoding="utf-8")


def _rule_missing(ruleset: Path) -> None:
    (ruleset / "learned.yaml").write_text("rules: []\n", encoding="utf-8")


def _learned_not_included(ruleset: Path) -> None:
    path = ruleset / "ruleset.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("include: [learned.yaml]", ""), encoding="utf-8")


def _ruleset_not_yaml(ruleset: Path) -> None:
    (ruleset / "ruleset.yaml").write_text("ruleset: origination\ninclude: [learned.yaml\n", encoding="utf-8")


@pytest.mark.parametrize(("break_it", "message"), [
    (_tests_file_is_a_folder, r"LRN-\d+ was not promoted \(nothing was changed\): IsADirectoryError"),
    (_ruleset_does_not_check, r"was not promoted \(nothing was changed\): the ruleset does not check with it "
                              r"active: .*id_numbr"),
    (_rule_missing, r"rule LRN-\d+ of proposal \d+ is not in .*learned.yaml \(nothing was changed\)"),
    (_learned_not_included, r"does not include learned.yaml, so rule LRN-\d+ would never run"),
    (_ruleset_not_yaml, r"ruleset.yaml is not valid YAML: "),
], ids=["test-file-unwritable", "ruleset-does-not-check", "rule-missing", "learned-not-included", "ruleset-not-yaml"])
def test_a_failed_promotion_changes_nothing(store, ruleset, shadow_rule, break_it, message):
    break_it(ruleset)
    before = _state(store, ruleset)
    with pytest.raises(LearnedRuleError, match=message) as raised:
        promote(store, shadow_rule, "bob", ruleset)
    assert "\n" not in str(raised.value)
    assert _state(store, ruleset) == before
    assert not list(ruleset.rglob("*.tmp"))


def test_the_proposer_cannot_promote_and_nothing_changes(store, ruleset, shadow_rule):
    before = _state(store, ruleset)
    with pytest.raises(MakerCheckerViolation, match="cannot activate it; another reviewer must"):
        promote(store, shadow_rule, "Alice", ruleset)
    assert _state(store, ruleset) == before


def test_a_promotion_makes_the_rule_active_in_the_store_and_the_files(store, ruleset, shadow_rule):
    (ruleset / "learned.yaml").chmod(0o640)
    modes = {p: p.stat().st_mode for p in (ruleset / "learned.yaml", ruleset / "tests" / "learned.yaml")}
    result = promote(store, shadow_rule, "bob", ruleset)
    proposal = store.get_proposal(shadow_rule)
    assert (proposal.status, proposal.promoted_by) == ("active", "bob")
    assert [e.detail for e in store.audit_log(entity="proposal", action="proposal.status")][-1] == {
        "from": "shadow", "to": "active"}
    [rule] = read_rules(ruleset)
    assert (rule["id"], rule["status"], rule["provenance"]["promoted_by"]) == (result.rule_id, "active", "bob")
    assert result.rule_id in [r.id for r in Engine.load(ruleset / "ruleset.yaml").program.rules]
    [case] = yaml.safe_load((ruleset / "tests" / "learned.yaml").read_text(encoding="utf-8"))["cases"]
    expect = case["expect"]
    assert result.rule_id in expect.get("fired", []) + expect.get("not_fired", [])
    assert result.rule_id not in expect["shadow_fired"]
    assert {p: p.stat().st_mode for p in modes} == modes  # the rename kept the files' permissions
    assert not list(ruleset.rglob("*.tmp"))
