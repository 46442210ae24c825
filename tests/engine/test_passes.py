"""Each compiler stage against its fixtures: tests/engine/passes/<stage>.txt.

A fixture line is ``input ; expected``: the input is the condition of rule T added
to tests/engine/passes/ruleset.yaml; the expected is that condition after every
stage up to this one (shown by engine/irtext.py), the errors lowering reports, or,
for ``analyse``, the warnings. A new stage in passes.STAGES needs a fixture file.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.loader import load_yaml_text
from riskrules.engine.dump import dump_program
from riskrules.engine.irtext import show
from riskrules.engine.passes import STAGES, Context, run_stages
from riskrules.engine.program import Program

HERE = Path(__file__).parent / "passes"
BASE = yaml.safe_load((HERE / "ruleset.yaml").read_text(encoding="utf-8"))


def _cases():
    for stage in STAGES:
        path = HERE / f"{stage}.txt"
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                given, sep, expected = line.partition(" ; ")
                assert sep, f"{path.name}:{no}: a case is 'input ; expected'"
                yield pytest.param(stage, given.strip(), expected.strip(), id=f"{stage}:{no}")


def _ruleset(when: str):
    rs = dict(BASE, rules=[{"id": "T", "when": when, "action": "decline"}])
    return load_yaml_text(yaml.safe_dump(rs, allow_unicode=True, sort_keys=False), str(HERE / "case.yaml"))


def _found(diagnostics) -> str:
    return " | ".join(f"{d.code} {d.message}" for d in diagnostics) or "none"


@pytest.mark.parametrize(("stage", "given", "expected"), list(_cases()))
def test_stage_fixture(stage, given, expected):
    try:
        prog, _ = run_stages(_ruleset(given), Context(HERE), until=stage)
    except RulesetError as exc:
        got = _found(exc.diagnostics)
    else:
        got = _found(prog.diagnostics) if stage == "analyse" else show(prog.rules[0].cond)
    assert got == expected


def test_every_stage_has_fixtures():
    assert sorted(p.stem for p in HERE.glob("*.txt")) == sorted(STAGES)


def test_stages_are_pure_and_the_program_frozen():
    prog = STAGES["lower"](_ruleset("1 + 2 > app.age and app.age + app.age > 3"), Context(HERE))
    for name, stage in list(STAGES.items())[1:]:
        before = dump_program(prog)
        out = stage(prog, Context(HERE))
        assert isinstance(out, Program)
        assert dump_program(prog) == before, f"stage {name} changed its input"
        prog = out
    with pytest.raises(dataclasses.FrozenInstanceError):
        prog.rules = ()


@pytest.mark.parametrize("stage", list(STAGES))
def test_dump_after_each_stage(stage):
    prog, dump = run_stages(_ruleset("app.age > 3 and 2 < 1"), Context(HERE), stage, until=stage)
    assert dump == dump_program(prog) and "rule T " in dump
    assert ("# W400" in dump) == (stage == "analyse")
