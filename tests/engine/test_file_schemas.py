"""The scorecard and test-file formats have JSON Schemas (``riskrules schema --kind``)
that describe the files we ship and the keys the test runner knows."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskrules.cli import app
from riskrules.engine.providers.scorecard import ScorecardFile
from riskrules.engine.testing import EXPECT_KEYS
from riskrules.engine.testing_schema import Expect, RulesetTestsFile

ROOT = Path(__file__).resolve().parents[2]


def test_expectations_in_the_schema_are_the_runners():
    assert set(Expect.model_fields) == EXPECT_KEYS


@pytest.mark.parametrize("path", sorted(ROOT.glob("rulesets/*/tests/**/*.yaml")), ids=lambda p: p.name)
def test_shipped_test_files_fit_the_schema(path):
    RulesetTestsFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", sorted(ROOT.glob("rulesets/*/models/*.yaml")), ids=lambda p: p.name)
def test_shipped_scorecards_fit_the_schema(path):
    ScorecardFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("kind,title,key", [("ruleset", "riskrules ruleset", "rules"),
                                            ("scorecard", "riskrules scorecard", "features"),
                                            ("tests", "riskrules ruleset tests", "cases")])
def test_schema_command_prints_each_kind(kind, title, key):
    r = CliRunner().invoke(app, ["schema", "--kind", kind])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["title"] == title and key in doc["properties"]


def test_schema_command_refuses_an_unknown_kind():
    r = CliRunner().invoke(app, ["schema", "--kind", "scorcard"])
    assert r.exit_code == 2 and "ruleset, scorecard, tests" in r.output
