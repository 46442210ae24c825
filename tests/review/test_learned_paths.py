"""Which ruleset file the review loop saves learned rules next to: the shared resolver
(_common.files.ruleset_file) finds it; learned rules need a YAML one (include: learned.yaml)."""
from __future__ import annotations

import pytest

from riskrules.review.learned import LearnedRuleError, ruleset_file


@pytest.mark.parametrize(("files", "arg", "expect"), [
    (["ruleset.yaml"], ".", "ruleset.yaml"),
    (["ruleset.yaml", "ruleset.rules"], ".", "ruleset.yaml"),
    (["mine.yml"], "mine.yml", "mine.yml"),
], ids=["folder", "yaml before rules", "a .yml file"])
def test_the_yaml_ruleset_is_found(tmp_path, files, arg, expect):
    for name in files:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert ruleset_file(tmp_path / arg) == tmp_path / expect


@pytest.mark.parametrize(("files", "arg", "message"), [
    ([], "missing", "missing: no such file"),
    ([], ".", "is a folder without ruleset.yaml or ruleset.rules"),
    (["ruleset.rules"], ".", r"ruleset.rules: learned rules go into a YAML ruleset .*riskrules fmt --to yaml"),
], ids=["missing", "empty folder", "a .rules ruleset"])
def test_a_path_without_a_yaml_ruleset_says_why(tmp_path, files, arg, message):
    for name in files:
        (tmp_path / name).write_text("", encoding="utf-8")
    with pytest.raises(LearnedRuleError, match=message):
        ruleset_file(tmp_path / arg)
