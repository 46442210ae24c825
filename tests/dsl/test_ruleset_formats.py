"""YAML and .rules rulesets: the example fixture, round trips, includes, lists, schema."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskrules.dsl import ast as A
from riskrules.dsl.fmt import format_rules, format_yaml, same_ast
from riskrules.dsl.loader import load_ruleset, load_yaml_text, parse_rules_text
from riskrules.dsl.yaml_format import json_schema

FIXTURES = Path(__file__).parent / "fixtures"
YAML = FIXTURES / "origination.yaml"
RULES = FIXTURES / "origination.rules"


@pytest.fixture(scope="module")
def ruleset() -> A.Ruleset:
    return load_ruleset(YAML)


def test_yaml_and_rules_files_give_the_same_ast(ruleset):
    assert same_ast(ruleset, load_ruleset(RULES))


def test_yaml_to_rules_round_trip(ruleset):
    text = format_rules(ruleset)
    again = parse_rules_text(text, str(RULES))
    assert same_ast(again, ruleset)
    assert format_rules(again) == text  # canonical: a fixed point


def test_yaml_to_yaml_round_trip(ruleset):
    text = format_yaml(ruleset)
    again = load_yaml_text(text, str(YAML))
    assert same_ast(again, ruleset)
    assert format_yaml(again) == text


def test_rules_to_yaml_round_trip():
    rs = load_ruleset(RULES)
    assert same_ast(load_yaml_text(format_yaml(rs), str(YAML)), rs)


def test_decision_time_is_a_positioned_field_path(ruleset):
    assert ruleset.decision_time.parts == ("application", "submitted_at")
    line = YAML.read_text(encoding="utf-8").split("\n").index(
        "decision_time: application.submitted_at   # every now() is the submission time") + 1
    assert (ruleset.decision_time.span.line, ruleset.decision_time.span.col) == (line, 16)
    assert "decision_time application.submitted_at\n" in format_rules(ruleset)
    assert "decision_time: application.submitted_at\n" in format_yaml(ruleset)
    rules = load_ruleset(RULES).decision_time
    assert (rules.span.line, rules.span.col) == (6, 15)


def test_files_stay_references(ruleset):
    text = format_rules(ruleset)
    assert 'schema "schema.yaml"' in text
    assert 'list blocked_devices from "lists/blocked_devices.txt"' in text
    assert 'include "learned.yaml"' in text and "LRN-001" not in text
    assert "schema: schema.yaml" in format_yaml(ruleset)


def test_inline_schema_and_lists_are_printed_inline():
    rs = load_yaml_text('ruleset: x\nversion: "1"\nschema:\n  app: {age: int, kind: "enum(a, \'b c\')?"}\n'
                        "  dev?:\n    id: string\n"
                        "lists: {l: [1, two, 2024-01-01]}\nrules: [{id: R, when: app.age in l}]\n")
    text = format_rules(rs)
    assert 'kind: enum("a", "b c")?' in text and "dev? {" in text
    assert 'list l = [1, "two", 2024-01-01]' in text
    assert same_ast(parse_rules_text(text), rs)
    assert same_ast(load_yaml_text(format_yaml(rs)), rs)


def test_amounts_round_trip_through_both_formats():
    rs = load_yaml_text('ruleset: x\nversion: "1"\nschema:\n  loan: {amount: decimal, rate: "decimal(4)?"}\n'
                        "features: {fee: 'round(loan.amount * loan.rate, 2, \"half_up\") + 1.50d'}\n"
                        "rules: [{id: R, when: fee > 10.0d}]\n")
    text = format_rules(rs)
    assert "rate: decimal(4)?" in text and "amount: decimal\n" in text and "+ 1.50d" in text and "> 10.0d" in text
    assert same_ast(parse_rules_text(text, "x.rules"), rs)
    assert same_ast(load_yaml_text(format_yaml(rs), "x.yaml"), rs)


def test_schema_file(ruleset):
    schema = ruleset.schema
    assert schema.path == "schema.yaml"
    fields = {f.name: f for f in schema.fields}
    assert fields["device"].optional and fields["device"].type.name == "object"
    applicant = {f.name: f for f in fields["applicant"].type.fields}
    assert applicant["middle_name"].optional and applicant["middle_name"].type.name == "string"
    assert applicant["phones"].type.item.name == "string"
    assert [v for v in fields["application"].type.fields[-1].type.values][:2] == ["consumption", "education"]
    assert applicant["age"].span.file.endswith("schema.yaml")


def test_list_file_items(ruleset):
    blocked = next(d for d in ruleset.lists if d.name == "blocked_devices")
    assert [(i.value, i.kind) for i in blocked.items] == [("DEV-0001", "string"), ("DEV-0002", "string"), (100042, "int")]
    assert blocked.items[1].span.file.endswith("blocked_devices.txt") and blocked.items[1].span.line == 3
    mcc = next(d for d in ruleset.lists if d.name == "high_risk_mcc")
    assert [i.value for i in mcc.items] == [7995, 6051, 4829]


def test_included_rules_point_into_their_file(ruleset):
    learned = next(r for r in ruleset.rules if r.id == "LRN-001")
    assert learned.span.file.endswith("learned.yaml")
    assert learned.when.span.file.endswith("learned.yaml") and learned.when.span.line == 5
    assert dict(learned.provenance) == {"reviewer": "li.wei", "cases": ("C-1001", "C-1002"), "precision": 0.92,
                                        "learned_on": dt.date(2024, 5, 1)}
    assert ruleset.includes == ("learned.yaml",)


def test_rule_fields(ruleset):
    r = {r.id: r for r in ruleset.rules}
    assert r["KYC-001"].action == "decline" and r["KYC-001"].severity == 100 and r["KYC-001"].tags == ("kyc",)
    assert r["FRD-014"].status == "shadow" and r["FRD-014"].score == 30.0 and r["FRD-014"].priority == 5
    assert r["NEW-ACCOUNT"].action is None and r["NEW-ACCOUNT"].score == 12.5
    assert r["KYC-001"].id_span.line == 25 and r["KYC-001"].action_span.line == 28


def test_tables_and_decision(ruleset):
    limit = ruleset.tables[0]
    assert limit.hit == "first" and limit.outputs == ("limit", "apr")
    assert limit.rows[0].outputs[0] == A.Literal(50000, "int", limit.rows[0].outputs[0].span, "50000")
    assert limit.rows[2].outputs[1].kind == "null"
    assert limit.default[1].value is None
    segment = ruleset.tables[1]
    assert segment.aggregate == "sum" and segment.rows[0].priority == 1
    assert isinstance(segment.rows[1].outputs[0], A.Binary)
    d = ruleset.decision
    assert d.policy == "score" and d.default == "review"
    assert [(b.min, b.outcome, b.reason) for b in d.bands] == [
        (650.0, "approve", None), (550.0, "review", "SCORE_MARGINAL"), (None, "decline", "SCORE_TOO_LOW")]
    assert ruleset.review.sla_hours == 12.0
    assert ruleset.on_error == "decline" and ruleset.tests == "tests/"


def test_sources_are_kept_for_later_diagnostics(ruleset):
    sources = ruleset.extra["sources"]
    assert sources.line(str(YAML), 2) == "ruleset: origination"
    assert sources.line(str(FIXTURES / "learned.yaml"), 1).startswith("#")


def test_json_schema_for_editors():
    schema = json_schema()
    assert schema["title"] == "riskrules ruleset"
    assert set(schema["required"]) == {"ruleset", "version"}
    assert "schema" in schema["properties"] and schema["additionalProperties"] is False
    rule = schema["$defs"]["RuleSpec"]
    assert rule["properties"]["status"]["enum"] == ["active", "shadow", "disabled"]
    assert rule["properties"]["when"]["x-riskrules"] == "expression"


def test_yaml_scalars_as_expressions():
    rs = load_yaml_text('ruleset: x\nversion: 2\nrules: [{id: 1, when: true}, {id: R2, when: 5 > 3}]\n')
    assert rs.version == "2" and rs.rules[0].id == "1"
    assert rs.rules[0].when.value is True


def test_numbers_used_as_words_keep_their_text():
    rs = load_yaml_text("ruleset: 2024\nversion: 1.10\nrules: [{id: 007, when: x, reason: 1.50}]\n")
    assert (rs.name, rs.version, rs.rules[0].id, rs.rules[0].reason) == ("2024", "1.10", "007", "1.50")
    assert same_ast(load_yaml_text(format_yaml(rs)), rs) and same_ast(parse_rules_text(format_rules(rs)), rs)


def test_unknown_file_type(tmp_path):
    from riskrules.dsl.diagnostics import RulesetError

    with pytest.raises(RulesetError) as info:
        load_ruleset(tmp_path / "r.json")
    assert info.value.diagnostics[0].code == "E116"
