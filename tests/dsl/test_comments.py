"""fmt keeps every comment: placement, conversion both ways, idempotence, the shipped ruleset.

Fixtures: ``comments.yaml`` and ``comments.rules`` hold comments in every
position; ``comments.fmt.yaml`` / ``comments.fmt.rules`` are the reviewed
canonical output of ``comments.yaml``.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from riskrules.dsl import ast as A
from riskrules.dsl.comments import UNPLACED_NOTE, Comment, comments_of
from riskrules.dsl.fmt import format_rules, format_yaml, same_ast
from riskrules.dsl.loader import load_ruleset, load_yaml_text, parse_rules_text

FIXTURES = Path(__file__).parent / "fixtures"
ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination" / "ruleset.yaml"

#: the comments of comments.yaml, in file order (trailing ones without their code)
YAML_COMMENTS = [
    "# File header: what this ruleset is for.",
    "# 文件头：风控规则集（中文注释）",
    "# trailing on the name",
    "# the default, which fmt leaves out",
    "# the inline schema",
    "# in years, from the application form",
    "# as on the ID card",
    "# last field of applicant",
    "# codes seen in fraud cases",
    "# 年轻客户",
    "# a '#' inside quotes is data, not a comment",
    "# == age =====",
    "# minors are never served",
    "# hard stop",
    "# after the last key of AGE-001",
    "# expression comment, inside the block string",
    "# a comment on a block string's header line",
    "# 规则内部的注释",
    "# the youngest get the least",
    "# everyone else",
    "# bands are ignored by the worst policy",
    "# the end of the file",
    "# 结束",
]

#: the comments of comments.rules, in file order
RULES_COMMENTS = [
    "# header of a .rules file",
    "# the name",
    "# 申请人",
    "# before the closing brace",
    "# years",
    "# trailing after a feature",
    "# the age input",
    "# inside a multi-line expression",
    "# trailing inside the expression",
    "# reason text has a '#', this is a comment",
    "# who learned it",
    "# before the effect line",
    "# top band",
    "# one day",
    "# last words",
]


def comment_lines(text: str) -> list[str]:
    """The comment lines of canonical output (fmt writes every comment on its own line)."""
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def load(name: str) -> A.Ruleset:
    return load_ruleset(FIXTURES / name)


def fmt(rs: A.Ruleset, kind: str) -> str:
    return format_yaml(rs) if kind == "yaml" else format_rules(rs)


def reload(text: str, kind: str, like: Path) -> A.Ruleset:
    path = str(like.with_suffix(".yaml" if kind == "yaml" else ".rules"))
    return load_yaml_text(text, path) if kind == "yaml" else parse_rules_text(text, path)


# -- placement --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["yaml", "rules"])
def test_yaml_comments_are_placed_as_reviewed(kind):
    expected = (FIXTURES / f"comments.fmt.{kind}").read_text(encoding="utf-8")
    assert fmt(load("comments.yaml"), kind) == expected


@pytest.mark.parametrize(("source", "comments"), [("comments.yaml", YAML_COMMENTS), ("comments.rules", RULES_COMMENTS)])
@pytest.mark.parametrize("kind", ["yaml", "rules"])
def test_every_comment_is_kept_in_order(source, comments, kind):
    assert comment_lines(fmt(load(source), kind)) == comments


def test_trailing_and_inner_comments_go_before_their_item():
    text = format_yaml(load("comments.yaml"))
    assert "  # hard stop\n  action: decline\n" in text
    assert "  # minors are never served\n  when: applicant.age < 18\n" in text
    assert "# trailing on the name\nruleset: comments_demo\n" in text
    assert "    # everyone else\n    - when: ['-']\n" in text
    assert "    # in years, from the application form\n    age: int\n" in text
    assert text.endswith("# the end of the file\n# 结束\n")


def test_rules_comments_inside_expressions_and_clauses():
    text = format_rules(load("comments.rules"))
    assert ("  # inside a multi-line expression\n  # trailing inside the expression\n"
            "  when adult and applicant.score > 0.5\n") in text
    assert "  # reason text has a '#', this is a comment\n  then decline reason \"R#1\"\n" in text
    assert "  when not adult\n  # before the effect line\n  score 10\n" in text
    assert "  # top band\n  band >= 600 approve\n" in text
    assert text.endswith("  sla_hours 12\n# last words\n")


def test_hash_inside_strings_is_data_not_a_comment():
    rs = load("comments.yaml")
    features = {f.name: f for f in rs.features}
    assert features["tagged"].description == "name is #1 (see ticket #42)"
    assert rs.rules[1].description == "Text with # that is not a comment.\n"
    assert [i.value for i in rs.lists[0].items] == ["#1", "#2"]
    text = format_yaml(rs)
    assert 'applicant.name == "#1"' in text and 'applicant.name != "#x"' in text
    rules = load("comments.rules")
    assert rules.rules[0].reason == "R#1" and dict(rules.rules[0].provenance)["by"] == "reviewer #7"


# -- conversion and idempotence ----------------------------------------------------


@pytest.mark.parametrize("source", ["comments.yaml", "comments.rules"])
@pytest.mark.parametrize("kind", ["yaml", "rules"])
def test_fmt_is_idempotent(source, kind):
    once = fmt(load(source), kind)
    twice = fmt(reload(once, kind, FIXTURES / source), kind)
    assert twice == once


@pytest.mark.parametrize(("source", "comments"), [("comments.yaml", YAML_COMMENTS), ("comments.rules", RULES_COMMENTS)])
def test_conversion_both_ways_keeps_comments(source, comments):
    rs = load(source)
    as_rules = format_rules(rs)
    back = reload(as_rules, "rules", FIXTURES / source)
    as_yaml = format_yaml(back)
    assert comment_lines(as_rules) == comment_lines(as_yaml) == comments
    again = reload(as_yaml, "yaml", FIXTURES / source)
    assert same_ast(again, rs)
    assert format_rules(again) == as_rules  # after one conversion the text is a fixed point
    assert format_yaml(reload(as_yaml, "yaml", FIXTURES / source)) == as_yaml


def test_same_ast_ignores_comments():
    text = (FIXTURES / "comments.yaml").read_text(encoding="utf-8")
    bare = text
    for c in YAML_COMMENTS:
        bare = bare.replace(c, "")
    stripped = load_yaml_text(bare, str(FIXTURES / "comments.yaml"))
    assert comment_lines(format_yaml(stripped)) == []
    assert same_ast(stripped, load("comments.yaml"))


def test_rules_comment_yaml_cannot_hold_is_escaped_not_lost():
    rs = parse_rules_text("ruleset x\nversion \"1\"\n# a\u2028b\x07c\nrule R when true\n", "x.rules")
    text = format_yaml(rs)
    assert "# a\\u2028b\\u0007c\n- id: R" in text
    assert comment_lines(format_yaml(load_yaml_text(text, "x.yaml"))) == ["# a\\u2028b\\u0007c"]


def test_a_comment_without_a_printed_item_is_kept_at_the_end():
    rs = parse_rules_text("ruleset x\nversion \"1\"\nrule R when true\n", "x.rules")
    lost = Comment("# its item is gone", A.Span("x.rules", 1, 1, 1, 1), key=("no_such_section", 3))
    rs = dataclasses.replace(rs, extra={**rs.extra, "comments": (lost,)})
    for kind in ("yaml", "rules"):
        text = fmt(rs, kind)
        assert text.endswith(f"{UNPLACED_NOTE}\n# its item is gone\n")
        assert fmt(reload(text, kind, Path("x")), kind) == text  # and stays there


def test_a_left_out_default_gives_its_comment_to_the_next_section():
    rs = load_yaml_text("ruleset: x\nversion: '1'\non_error: review  # why review\nrules: [{id: R, when: 'true'}]\n")
    assert "version: '1'\n# why review\nrules:\n" in format_yaml(rs)


# -- the shipped ruleset -----------------------------------------------------------


def test_origination_ruleset_keeps_all_its_comments():
    source = ORIGINATION.read_text(encoding="utf-8")
    written = [m.strip() for m in re.findall(r"#[^\n]*", source)]
    assert len(written) == 16  # every '#' in this file starts a comment
    rs = load_ruleset(ORIGINATION)
    for kind in ("yaml", "rules"):
        text = fmt(rs, kind)
        assert comment_lines(text) == written
        assert fmt(reload(text, kind, ORIGINATION), kind) == text


@pytest.mark.parametrize("name", ["comments.yaml", "origination.yaml"])
def test_loading_without_comments_gives_the_same_ruleset_and_no_comments(name):
    """Engine.load reads rulesets with comments=False (only fmt prints comments)."""
    with_comments = load_ruleset(FIXTURES / name)
    without = load_ruleset(FIXTURES / name, comments=False)
    assert same_ast(with_comments, without)
    assert without.rules == with_comments.rules  # spans too
    assert comments_of(with_comments) and not comments_of(without)
