"""The conformance suite: YAML cases run against every backend (DESIGN.md)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from .helpers import deep_merge, engine_from

HERE = Path(__file__).parent / "conformance"
BACKENDS = ["codegen", "interpret"]


def _cases():
    for f in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            yield pytest.param(doc["defaults"], case, id=f"{f.stem}:{case['name']}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("defaults,case", list(_cases()))
def test_case(tmp_path, defaults, case, backend):
    rs = deep_merge(defaults["ruleset"], case.get("ruleset", {}))
    engine = engine_from(tmp_path, rs)
    data = deep_merge(defaults["input"], case.get("input", {}))
    now = case.get("now", defaults.get("now"))
    if isinstance(now, str):
        now = dt.datetime.fromisoformat(now)
    d = engine.decide(data, now=now, backend=backend)
    exp = case["expect"]
    if "outcome" in exp:
        assert d.outcome == exp["outcome"]
    if "fired" in exp:
        assert list(d.fired) == exp["fired"]
    if "shadow_fired" in exp:
        assert list(d.shadow_fired) == exp["shadow_fired"]
    if "reasons" in exp:
        assert d.reason_codes[: len(exp["reasons"])] == exp["reasons"]
    if "errors" in exp:
        got = [e["rule"] or e["where"] for e in d.errors]
        assert got == exp["errors"]
    if "score" in exp:
        assert d.score == pytest.approx(exp["score"])
    if "unexplained" in exp:
        assert d.unexplained == exp["unexplained"]
    for table, outs in exp.get("tables", {}).items():
        assert d.tables[table] == outs
    # the backends agree on everything but identity and time
    other = engine.decide(data, now=now, backend="interpret" if backend == "codegen" else "codegen")
    a, b = d.to_dict(), other.to_dict()
    for k in ("decision_id",):
        a.pop(k), b.pop(k)
    assert a == b
