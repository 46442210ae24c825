"""dsl/loader.py: every file of a ruleset read once, for both formats, and the digest over those bytes."""
from __future__ import annotations

import ast
import builtins
import shutil
from pathlib import Path

import pytest

import riskrules
from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.fmt import format_rules
from riskrules.dsl.loader import load_ruleset

ROOT = Path(__file__).parents[2]
ORIGINATION = ROOT / "rulesets" / "origination"
DSL = ROOT / "riskrules" / "dsl"


@pytest.fixture
def origination(tmp_path) -> Path:
    shutil.copytree(ORIGINATION, tmp_path / "origination")
    return tmp_path / "origination"


def _opened(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = builtins.open

    def spy(file, *a, **kw):
        seen.append(str(file))
        return real(file, *a, **kw)

    monkeypatch.setattr(builtins, "open", spy)
    return seen


@pytest.mark.parametrize("fmt", ["yaml", "rules"])
def test_every_file_is_read_once_and_kept(origination, monkeypatch, fmt):
    path = origination / "ruleset.yaml"
    if fmt == "rules":
        path = origination / "ruleset.rules"
        path.write_text(format_rules(load_ruleset(origination / "ruleset.yaml")), encoding="utf-8")
    opened = _opened(monkeypatch)
    rs = load_ruleset(path)
    files = rs.extra["files"]
    names = {Path(p).relative_to(origination).as_posix() for p in files.raw}
    assert names == {path.name, "schema.yaml", "learned.yaml", "models/pd_scorecard.yaml",
                     "lists/blocked_devices.txt", "lists/blocked_id_numbers.txt", "lists/blocked_phones.txt"}
    assert sorted(opened) == sorted(set(opened)) == sorted(files.raw)
    for p, raw in files.raw.items():
        assert Path(p).read_bytes() == raw


def test_a_file_named_twice_is_read_once(tmp_path, monkeypatch):
    (tmp_path / "ids.txt").write_text("1\n2\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text('ruleset: x\nversion: "1"\nlists: {a: ids.txt, b: ids.txt}\n', encoding="utf-8")
    opened = _opened(monkeypatch)
    rs = load_ruleset(tmp_path / "r.yaml")
    assert [Path(p).name for p in opened] == ["r.yaml", "ids.txt"]
    assert [len(ld.items) for ld in rs.lists] == [2, 2]


def test_digest_is_over_the_bytes_and_names_not_the_directory(origination, tmp_path):
    first = load_ruleset(origination / "ruleset.yaml").extra["files"].digest()
    elsewhere = shutil.copytree(origination, tmp_path / "elsewhere" / "copy")
    assert load_ruleset(elsewhere / "ruleset.yaml").extra["files"].digest() == first
    for changed in ("lists/blocked_phones.txt", "models/pd_scorecard.yaml", "learned.yaml", "schema.yaml"):
        f = elsewhere / changed
        before = f.read_bytes()
        f.write_bytes(before + b"\n")
        assert load_ruleset(elsewhere / "ruleset.yaml").extra["files"].digest() != first, changed
        f.write_bytes(before)


def test_a_model_file_that_cannot_be_read_is_the_checkers_positioned_error(tmp_path):
    (tmp_path / "r.yaml").write_text(
        'ruleset: x\nversion: "1"\nmodels:\n  pd: {type: scorecard, path: nope.yaml}\n', encoding="utf-8")
    rs = load_ruleset(tmp_path / "r.yaml")  # formatting a ruleset needs no model files
    assert rs.models[0].name == "pd"
    diags = riskrules.check(tmp_path / "r.yaml")
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("E116", 4, 3)]
    assert "cannot read model file" in diags[0].message


def test_unknown_ruleset_file_type_and_missing_ruleset(tmp_path):
    with pytest.raises(RulesetError) as info:
        load_ruleset(tmp_path / "r.json")
    assert info.value.diagnostics[0].code == "E116"
    with pytest.raises(RulesetError) as info:
        load_ruleset(tmp_path / ("x" * 300 + ".yaml"))  # name too long: an OSError, not a traceback
    assert [d.code for d in info.value.diagnostics] == ["E116"]


def _imports(module: Path) -> set[str]:
    """The dsl modules ``module`` imports, at the top or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
    return out


def test_the_dsl_modules_import_each_other_without_a_cycle():
    graph = {p.stem: _imports(p) & {q.stem for q in DSL.glob("*.py")} for p in DSL.glob("*.py")}
    graph.pop("__init__")  # the package's lazy exports name every public module
    state: dict[str, int] = {}

    def visit(name, path):
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, "import cycle: " + " -> ".join(path + [name])
        state[name] = 1
        for dep in sorted(graph.get(name, ())):
            visit(dep, path + [name])
        state[name] = 2

    for name in sorted(graph):
        visit(name, [])
    assert "loader" not in set().union(*(deps for name, deps in graph.items() if name != "loader"))
