"""Hostile input: nesting, sizes, injection attempts, YAML bombs and tags."""
from __future__ import annotations


import pytest

from riskrules.dsl import ast as A
from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.literals import MAX_LIST, MAX_STRING
from riskrules.dsl.limits import MAX_DEPTH, MAX_FILE_BYTES
from riskrules.dsl.loader import load_ruleset, load_yaml_text, parse_rules_text
from riskrules.dsl.parser import parse_expression


def _codes(fn, *args, **kw) -> list[str]:
    with pytest.raises(RulesetError) as info:
        fn(*args, **kw)
    return [d.code for d in info.value.diagnostics]


DEEP = {
    "parentheses": "(" * 100_000 + "1" + ")" * 100_000,
    "unclosed parentheses": "(" * 100_000,
    "lists": "[" * 100_000,
    "calls": "f(" * 100_000,
    "not": "not " * 100_000 + "x",
    "unary minus": "-" * 100_000 + "x",
    "left-nested sum": "1" + " + 1" * 100_000,
    "if-then-else": "if a then " * 30_000 + "1" + " else 2" * 30_000,
}


@pytest.mark.parametrize("name", DEEP)
def test_deep_nesting_fails_fast(name, monkeypatch):
    """Hopeless nesting is refused after a few tokens, not after the whole text: counted in
    tokens lexed, not in seconds (a wall-clock bound failed on a loaded machine)."""
    from lark.lexer import Token

    lexed = [0]
    real_new = Token.__new__

    def counting_new(cls, *args, **kw):
        lexed[0] += 1
        return real_new(cls, *args, **kw)

    monkeypatch.setattr(Token, "__new__", counting_new)
    assert _codes(parse_expression, DEEP[name]) == ["E103"]
    assert lexed[0] < 5_000, f"{lexed[0]} tokens lexed before giving up on {len(DEEP[name]):,} characters"


def test_depth_limit_is_exact():
    parse_expression("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    assert _codes(parse_expression, "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1)) == ["E103"]
    parse_expression("not " * MAX_DEPTH + "x")
    assert _codes(parse_expression, "not " * (MAX_DEPTH + 1) + "x") == ["E103"]
    parse_expression(" + ".join(["x"] * (MAX_DEPTH + 1)))
    assert _codes(parse_expression, " + ".join(["x"] * (MAX_DEPTH + 2))) == ["E103"]


def test_brackets_inside_strings_do_not_count():
    assert parse_expression("'" + "(" * 1000 + "'").value == "(" * 1000


def test_deep_expression_in_files():
    text = 'ruleset x\nversion "1"\nrule "A" when ' + "(" * 5000 + "x" + ")" * 5000 + "\n"
    assert _codes(parse_rules_text, text) == ["E103"]
    yaml_text = 'ruleset: x\nversion: "1"\nrules: [{id: A, when: "' + "not " * 5000 + 'x"}]\n'
    assert _codes(load_yaml_text, yaml_text) == ["E103"]


def test_string_and_list_limits():
    assert len(parse_expression('"' + "中" * MAX_STRING + '"').value) == MAX_STRING
    assert _codes(parse_expression, '"' + "a" * (MAX_STRING + 1) + '"') == ["E104"]
    assert len(parse_expression("[" + ", ".join(["1"] * MAX_LIST) + "]").items) == MAX_LIST
    assert _codes(parse_expression, "[" + ", ".join(["1"] * (MAX_LIST + 1)) + "]") == ["E104"]
    big_list = "ruleset x\nversion \"1\"\nlist l = [" + ", ".join(["1"] * (MAX_LIST + 1)) + "]\n"
    assert _codes(parse_rules_text, big_list) == ["E104"]


def test_oversized_inputs(tmp_path):
    huge = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    for name in ("big.yaml", "big.rules"):
        path = tmp_path / name
        path.write_text(huge, encoding="utf-8")
        assert _codes(load_ruleset, path) == ["E112"]
    (tmp_path / "big.txt").write_text(huge, encoding="utf-8")
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text('ruleset: x\nversion: "1"\nlists: {l: big.txt}\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(ruleset)
    (d,) = info.value.diagnostics
    assert d.code == "E112" and (d.span.line, d.span.col) == (3, 12)
    assert _codes(parse_expression, "x" * (MAX_FILE_BYTES + 1)) == ["E112"]


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__mro__",
    "''.__class__.__mro__[1].__subclasses__()",
    "open('/etc/passwd').read()",
    "eval('1+1')()",
    "x; import os",
    "lambda: 1",
    "[c for c in ()]",
    "a[0]",
    "a.b()",
    "f'{x}'",
])
def test_injection_attempts_are_syntax_errors(text, monkeypatch):
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    assert _codes(parse_expression, text) == ["E100"]
    assert calls == []


def test_calls_to_dangerous_names_are_just_calls():
    e = parse_expression("__import__('os')")
    assert isinstance(e, A.Call) and e.func == "__import__" and e.args[0].value == "os"
    assert parse_expression("app.__class__").parts == ("app", "__class__")  # rejected by the checker (E206)


BILLION_LAUGHS = """ruleset: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs():
    """Refused at the alias limit while composing, before anything is expanded (no clock:
    an expansion would not finish at all)."""
    assert _codes(load_yaml_text, BILLION_LAUGHS) == ["E111"]


def test_alias_count_limit():
    ok = 'ruleset: x\nversion: "1"\nlists:\n  a: &v [1]\n' + "".join(f"  l{i}: *v\n" for i in range(100))
    assert len(load_yaml_text(ok).lists) == 101
    too_many = ok + "  l100: *v\n"
    assert _codes(load_yaml_text, too_many) == ["E111"]


def test_alias_expansion_limit_with_few_aliases():
    rows = "[" + ", ".join(["1"] * 3000) + "]"
    text = f"ruleset: &r {rows}\n" + "".join(f"k{i}: *r\n" for i in range(99))
    assert _codes(load_yaml_text, text) == ["E111"]


def test_recursive_alias():
    assert _codes(load_yaml_text, "ruleset: &a [*a]\n") == ["E111"]


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/name:os.system", "!!binary", "!!set", "!foo"])
def test_tags_are_rejected(tag):
    assert "E111" in _codes(load_yaml_text, f'ruleset: x\nversion: "1"\ndescription: {tag} "x"\n')


def test_deep_yaml_nesting():
    assert _codes(load_yaml_text, "ruleset: " + "[" * 20_000 + "]" * 20_000 + "\n") == ["E111"]
