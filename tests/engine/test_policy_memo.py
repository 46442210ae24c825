"""The policy step remembers results by the set of fired rules where nothing else can
change them; what it remembers must be what it would compute."""
from __future__ import annotations

import random

import pytest

from riskrules.engine import codegen, policies
from riskrules.engine.program import Fault

from .helpers import engine_from

RULES = [{"id": f"R{i}", "when": f"x > {i}", "action": ["decline", "review", None][i % 3],
          "reason": f"CODE_{i % 5}", "score": i % 4} for i in range(12)]


def _ruleset(policy: str) -> dict:
    return {"ruleset": "memo", "version": "1", "schema": {"x": "int"},
            "rules": [{k: v for k, v in r.items() if v is not None} for r in RULES],
            "decision": {"policy": policy}}


@pytest.mark.parametrize("policy", ["worst", "first_match"])
def test_remembered_results_equal_computed_ones(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(policies, "MEMO_SIZE", 8)  # forces the memo to start over many times
    prog = engine_from(tmp_path, _ruleset(policy)).program
    remembering = policies.make_resolver(prog, codegen.U)
    computing = policies.make_resolver(prog, codegen.U, memo=False)
    assert remembering is not computing
    rng = random.Random(5)
    for _ in range(2_000):
        fired = sorted(rng.sample(range(12), rng.randint(0, 5)))
        errors = [Fault(rng.randrange(12), ValueError("x"))] if rng.random() < 0.2 else []
        assert remembering(list(fired), errors, None, {}) == computing(list(fired), errors, None, {}), (fired, errors)


def test_a_fault_is_never_served_from_the_memo(tmp_path):
    prog = engine_from(tmp_path, _ruleset("worst")).program
    resolve = policies.make_resolver(prog, codegen.U)
    clean = resolve([1], [], None, {})
    faulty = resolve([1], [Fault(4, ZeroDivisionError("x"))], None, {})
    assert clean[0] == "review" and [r.code for r in clean[1]] == ["CODE_1"]
    assert faulty[0] == "review" and [r.code for r in faulty[1]] == ["CODE_1", "RULE_ERROR"]
    assert resolve([1], [], None, {}) == clean
