"""Decision tables: positioned diagnostics, and a ruleset with an error-severity one never runs."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import riskrules
from riskrules.cli import app
from riskrules.dsl.diagnostics import RulesetError
from riskrules.engine.runtime import Engine

from .helpers import write_ruleset

DOC = yaml.safe_load((Path(__file__).parent / "checker" / "tables.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_positions(tmp_path, case):
    path = tmp_path / "t.rules"
    path.write_text(DOC["header"] + case["text"], encoding="utf-8")
    diags = riskrules.check(path)
    assert [[d.code, d.span.line, d.span.col] for d in diags] == case["expect"], [d.headline() for d in diags]
    if "message" in case:
        assert case["message"] in diags[0].message


# a unique table whose rows overlap (E501): it used to load and fault on every overlapping decision
OVERLAP = {
    "ruleset": "overlap", "version": "1", "schema": {"app": {"x": "int"}},
    "tables": {"t": {"hit": "unique", "inputs": ["app.x"], "outputs": ["v"], "default": [0],
                     "rows": [{"when": [">= 5"], "then": [1]}, {"when": ["<= 10"], "then": [2]}]}},
}


def test_an_error_from_the_analysis_blocks_loading(tmp_path):
    with pytest.raises(RulesetError) as info:
        Engine.load(write_ruleset(tmp_path, OVERLAP))
    assert [d.code for d in info.value.diagnostics if d.is_error] == ["E501"]


def test_warnings_still_load(tmp_path):
    gap = {**OVERLAP, "tables": {"t": {**OVERLAP["tables"]["t"], "hit": "first", "default": None}}}
    gap["tables"]["t"].pop("default")
    gap["tables"]["t"]["rows"] = [{"when": ["< 5"], "then": [1]}, {"when": ["> 10"], "then": [2]}]
    engine = Engine.load(write_ruleset(tmp_path, gap))
    assert [d.code for d in engine.diagnostics] == ["W502"]


@pytest.mark.parametrize("command", ["run", "test"])
def test_run_and_test_refuse_a_ruleset_with_errors(tmp_path, command):
    path = write_ruleset(tmp_path, OVERLAP)
    (tmp_path / "tests").mkdir()
    (tmp_path / "in.jsonl").write_text('{"app": {"x": 7}}\n', encoding="utf-8")
    args = [command, str(path)] + (["--input", str(tmp_path / "in.jsonl")] if command == "run" else [])
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1, r.output
    assert "E501" in r.output and "does not check" in r.output.replace("\n", " ")
