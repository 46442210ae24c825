"""The conformance suite: YAML cases run against every backend (DESIGN.md)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from .helpers import deep_merge, engine_from

HERE = Path(__file__).parent / "conformance"
BACKENDS = ["codegen", "interpret", "batch"]


def _cases():
    for f in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            yield pytest.param(doc["defaults"], case, id=f"{f.stem}:{case['name']}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("defaults,case", list(_cases()))
def test_case(tmp_path, defaults, case, backend):
    rs = deep_merge(defaults["ruleset"], case.get("ruleset", {}))
    for name, content in case.get("files", {}).items():  # model files and the like, beside the ruleset
        (tmp_path / name).write_text(yaml.safe_dump(content), encoding="utf-8")
    engine = engine_from(tmp_path, rs)
    data = deep_merge(defaults["input"], case.get("input", {}))
    now = case.get("now", defaults.get("now"))
    if isinstance(now, str):
        now = dt.datetime.fromisoformat(now)
    exp = case["expect"]
    if "input_error" in exp:  # {field: message part}: the input is rejected, never decided
        return _check_input_error(engine, data, now, backend, exp["input_error"])
    if backend == "batch":
        return _check_batch(engine, data, now, case["expect"])
    d = engine.decide(data, now=now, backend=backend)
    if "outcome" in exp:
        assert d.outcome == exp["outcome"]
    if "fired" in exp:
        assert list(d.fired) == exp["fired"]
    if "shadow_fired" in exp:
        assert list(d.shadow_fired) == exp["shadow_fired"]
    if "reasons" in exp:
        got = d.reason_codes if case.get("exact_reasons") else d.reason_codes[: len(exp["reasons"])]
        assert got == exp["reasons"]
    if "errors" in exp:
        got = [e["rule"] or e["where"] for e in d.errors]
        assert got == exp["errors"]
    if "score" in exp:
        assert d.score == pytest.approx(exp["score"])
    if "unexplained" in exp:
        assert d.unexplained == exp["unexplained"]
    for table, outs in exp.get("tables", {}).items():
        assert _amounts_as_text(d.tables[table]) == outs
    # the backends agree on everything but identity and time
    other = engine.decide(data, now=now, backend="interpret" if backend == "codegen" else "codegen")
    a, b = d.to_dict(), other.to_dict()
    for k in ("decision_id",):
        a.pop(k), b.pop(k)
    assert a == b


def _amounts_as_text(outs: dict) -> dict:
    """Table outputs with each amount as its JSON text ("12.50"), as the cases write them."""
    from riskrules._common.json import to_jsonable

    def text(v):
        if isinstance(v, list):
            return [text(x) for x in v]
        return to_jsonable(v) if isinstance(v, Decimal) else v

    return {k: text(v) for k, v in outs.items()}


def _check_input_error(engine, data, now, backend, expected: dict):
    from riskrules import InputError

    ((field, part),) = expected.items()
    if backend == "batch":
        import polars as pl

        from riskrules.engine.batch import decide_frame

        b = decide_frame(engine, pl.DataFrame([data]), now=now).row(0, named=True)
        assert b["outcome"] is None and b["input_error"].startswith(f"{field}: ") and part in b["input_error"]
        return
    with pytest.raises(InputError) as caught:
        engine.decide(data, now=now, backend=backend)
    assert any(p == field and part in m for p, m in caught.value.problems), caught.value.problems


def _check_batch(engine, data, now, exp):
    import polars as pl

    from riskrules.engine.batch import decide_frame

    b = decide_frame(engine, pl.DataFrame([data]), now=now).row(0, named=True)
    d = engine.decide(data, now=now)
    assert b["input_error"] is None
    assert b["outcome"] == d.outcome == exp.get("outcome", d.outcome)
    assert b["fired"] == list(d.fired)
    assert b["shadow_fired"] == list(d.shadow_fired)
    assert b["reasons"] == d.reason_codes
    assert b["errors"] == [e["where"] for e in d.errors]
    assert b["unexplained"] == d.unexplained
    assert (b["score"] is None and d.score is None) or b["score"] == pytest.approx(d.score)
    for table, outs in d.tables.items():
        for k, v in outs.items():
            assert b[f"table:{table}.{k}"] == v
            amounts = isinstance(v, Decimal) or (isinstance(v, list) and any(isinstance(x, Decimal) for x in v))
            if amounts:  # the same digits after the point, not only an equal value
                assert str(b[f"table:{table}.{k}"]) == str(v)
