"""The compiled function checks its own input: it must accept, normalise and reject
exactly as the schema validator does (which the interpreter and the batch backend use).

The generated function binds top-level fields straight to locals
(``validate.build_prelude``) instead of calling the validator; these tests hold the two
to the same problems, in the same order, and the same decisions on what they accept.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskrules import Engine, InputError

from .helpers import write_ruleset

NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)

FLAT = {
    "ruleset": "flat",
    "version": "1",
    "schema": {
        "age": "int", "income": "number", "name": "string", "vip": "bool", "born": "date",
        "at": "datetime", "wait": "duration", "kind": "enum(a, b)",
        "opt_age": "int?", "opt_income": "number?", "opt_name": "string?", "opt_vip": "bool?",
        "opt_born": "date?", "opt_at": "datetime?", "opt_wait": "duration?", "opt_kind": "enum(a, b)?",
        "obj": {"v": "int", "w": "string?"}, "tags": "list<string>?", "amount": "decimal", "opt_rate": "decimal(4)?",
    },
    "rules": [
        {"id": "AGE", "when": "age >= 18 and opt_age is missing", "action": "review"},
        {"id": "INC", "when": "income > 1000.5 or opt_income < 0", "action": "review"},
        {"id": "NAME", "when": "name == '张三' or opt_name is present", "action": "review"},
        {"id": "VIP", "when": "vip and opt_vip is missing", "action": "review"},
        {"id": "BORN", "when": "born < 2000-01-01 or opt_born is present", "action": "review"},
        {"id": "AT", "when": "now() - at < 24h or opt_at > at", "action": "review"},
        {"id": "WAIT", "when": "wait > 30m and opt_wait is missing", "action": "review"},
        {"id": "KIND", "when": "kind == 'a' and opt_kind != 'a'", "action": "review"},
        {"id": "AMT", "when": "amount > 10 or opt_rate == 0.5d", "action": "review"},
        {"id": "OBJ", "when": "obj.v > 1 and count(coalesce(tags, ['x', 'y'])) > 1", "action": "review"},
    ],
    "decision": {"policy": "worst"},
}

GOOD = {"age": 30, "income": 2000.0, "name": "张三", "vip": True, "born": "1990-05-01",
        "at": "2026-03-01T08:00:00", "wait": 3600, "kind": "a", "obj": {"v": 2}, "amount": "12.50"}

ANY = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([2.0, 2.5, float("nan"), float("inf"), -1e308]),
    st.sampled_from(["", "a", "b", "张三", "1990-05-01", "2026-03-01T08:00:00+08:00", "2026-13-01", "3"]),
    st.sampled_from([dt.date(1999, 1, 1), dt.datetime(2026, 2, 28, 9), dt.datetime(2026, 2, 28, 9, tzinfo=dt.timezone.utc),
                     dt.timedelta(hours=1), Decimal("1.5"), Decimal("NaN"), Decimal("1.005"), Decimal("-0.00"),
                     Decimal("1E+40"), "12.50", "1e3", "0.50000"]),
    st.just([]), st.just(["a", None]), st.just(["a", "b"]), st.just({}), st.just({"v": "x"}), st.just({"v": 3}),
)


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    path = write_ruleset(tmp_path_factory.mktemp("flat"), FLAT)
    return Engine.load(path), Engine.load(path, strict_input=True)


def _outcome(engine, data, backend):
    try:
        d = engine.decide(data, now=NOW, backend=backend)
    except InputError as exc:
        return "InputError", exc.problems
    return d.fired, d.errors


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patch=st.dictionaries(st.sampled_from(sorted(FLAT["schema"]) + ["unknown", "Age"]), ANY, max_size=6),
       drop=st.sets(st.sampled_from(sorted(GOOD)), max_size=2))
def test_compiled_checks_agree_with_the_validator(engines, patch, drop):
    data = {k: v for k, v in GOOD.items() if k not in drop} | patch
    for engine in engines:
        compiled = _outcome(engine, data, "codegen")
        assert compiled == _outcome(engine, data, "interpret"), data


def test_good_input_is_normalised_before_the_rules_see_it(engines):
    loose, _ = engines
    # ISO strings become dates, a naive datetime is UTC, seconds become a duration, 2.0 is the int 2
    d = loose.decide(GOOD | {"obj": {"v": 2.0}}, now=NOW)
    assert d.fired == ("AGE", "INC", "NAME", "VIP", "BORN", "AT", "WAIT", "AMT", "OBJ") and not d.errors
    assert loose.decide(GOOD | {"at": "2026-02-28T08:00:00+08:00", "wait": 60}, now=NOW).fired == (
        "AGE", "INC", "NAME", "VIP", "BORN", "AMT", "OBJ")


def test_every_bad_top_level_field_is_named_once_in_schema_order(engines):
    loose, strict = engines
    bad = {"age": "30", "income": float("nan"), "name": 5, "vip": 1, "born": "1990-13-01", "at": "noon",
           "wait": "1h", "kind": "c", "opt_age": 1.5, "obj": [], "tags": ["a", None], "amount": "1.005",
           "opt_rate": float("inf"), "extra": 1}
    with pytest.raises(InputError) as e:
        loose.decide(bad, now=NOW)
    assert [p for p, _ in e.value.problems] == ["age", "income", "name", "vip", "born", "at", "wait", "kind",
                                                "opt_age", "obj", "tags[1]", "amount", "opt_rate"]
    with pytest.raises(InputError) as e:
        strict.decide(bad, now=NOW)
    assert e.value.problems[-1] == ("extra", "unknown field")


@pytest.mark.parametrize("data", [None, [], "x", 5, ("age", 30)])
def test_a_non_object_input_is_one_problem(engines, data):
    for engine in engines:
        with pytest.raises(InputError) as e:
            engine.decide(data, now=NOW)
        assert len(e.value.problems) == 1 and e.value.problems[0][0] == ""


@pytest.mark.parametrize("seconds", [-1e308, 1e20, 1e12 + 1])
def test_a_duration_out_of_range_is_an_input_error_in_both_backends(engines, seconds):
    import polars as pl

    from riskrules.engine.batch import decide_frame

    loose, _ = engines
    with pytest.raises(InputError) as e:
        loose.decide(GOOD | {"wait": seconds}, now=NOW)
    assert e.value.problems == [("wait", f"duration out of range: {seconds!r} seconds (at most ±1e+12)")]
    frame = pl.DataFrame([{k: v for k, v in GOOD.items() if k != "wait"} | {"wait": w} for w in (seconds, 3600.0)])
    out = decide_frame(loose, frame, now=NOW)
    assert out["input_error"][0].startswith("wait: duration out of range") and out["input_error"][1] is None
    assert out["outcome"][0] is None and out["outcome"][1] == "review"


def test_strict_and_loose_code_of_one_ruleset_each_keep_their_source_for_tracebacks(tmp_path):
    """Strict input checks add lines to the generated function; under the same file name
    as the loose one, the two shared one linecache entry and a traceback through either
    quoted the other's lines."""
    import linecache

    path = write_ruleset(tmp_path, FLAT)
    for engine in (Engine.load(path, strict_input=True), Engine.load(path), Engine.load(path, strict_input=True)):
        code = engine._loaded.compiled.fn.__code__
        assert "".join(linecache.getlines(code.co_filename)) == engine.source


@pytest.mark.parametrize(("field", "value", "message"), [
    ("wait", 10**400, "duration out of range: <an integer of 401 digits> seconds"),
    ("name", 10**5000, "expected a string, got the number <an integer of 5001 digits>"),
    ("kind", -10**5000, "expected one of a, b, got the number -<an integer of 5001 digits>"),
    ("wait", -10**30, "duration out of range: -1000000000000000000000000000000 seconds"),
], ids=["duration-past-float", "string-past-printing", "enum-past-printing", "duration-printed"])
def test_an_integer_too_large_for_a_float_or_to_print_is_an_input_error(engines, field, value, message):
    """A duration of 10**400 seconds raised OverflowError (math.isfinite) and a string field
    given 10**5000 raised ValueError (Python will not print it) instead of an InputError,
    which decide_many() would have yielded instead of stopping."""
    for engine in engines:
        for backend in ("codegen", "interpret"):
            with pytest.raises(InputError) as e:
                engine.decide(GOOD | {field: value}, now=NOW, backend=backend)
            assert e.value.problems == [(field, message + ("" if field != "wait" else " (at most ±1e+12)"))]


# Nested objects are checked inline too, each field into its own local: an optional object
# inside a required one, an object read whole (``is missing``), a list of objects (which
# stays with the validator's helper) and an empty object.
NESTED = {
    "ruleset": "nested",
    "version": "1",
    "schema": {
        "app": {"amount": "number", "kind": "enum(a, b)", "kyc?": {"score": "number", "ok": "bool?",
                                                                   "doc": {"no": "string"}}},
        "dev?": {"os": "string", "tags": "list<string>?"},
        "items": "list<int>?",
    },
    "rules": [
        {"id": "AMT", "when": "app.amount > 100 and app.kind == 'a'", "action": "review"},
        {"id": "KYC", "when": "app.kyc is missing or app.kyc.score < 0.5", "action": "review"},
        {"id": "OK", "when": "app.kyc.ok is present and app.kyc.doc.no == 'x'", "action": "review"},
        {"id": "DEV", "when": "dev is present and dev.os in ['ios'] or count(coalesce(dev.tags, ['z'])) > 1",
         "action": "review"},
        {"id": "WHOLE", "when": "kyc_whole is missing", "action": "review"},
    ],
    "features": {"kyc_whole": "app.kyc"},  # an object read whole: rebuilt from the locals
    "decision": {"policy": "worst"},
}

NESTED_GOOD = {"app": {"amount": 200, "kind": "a", "kyc": {"score": 0.4, "ok": True, "doc": {"no": "x"}}},
               "dev": {"os": "ios", "tags": ["a", "b"]}}

OBJECTS = st.one_of(ANY, st.fixed_dictionaries({}, optional={"score": ANY, "ok": ANY, "doc": ANY, "no": ANY,
                                                             "os": ANY, "tags": ANY, "x": ANY}))


@pytest.fixture(scope="module")
def nested_engines(tmp_path_factory):
    path = write_ruleset(tmp_path_factory.mktemp("nested"), NESTED)
    return Engine.load(path), Engine.load(path, strict_input=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(app=st.dictionaries(st.sampled_from(["amount", "kind", "kyc", "other"]), OBJECTS, max_size=3),
       kyc=st.dictionaries(st.sampled_from(["score", "ok", "doc", "other"]), OBJECTS, max_size=3),
       top=st.dictionaries(st.sampled_from(["app", "dev", "items", "other"]), OBJECTS, max_size=2))
def test_inline_checks_of_nested_objects_agree_with_the_validator(nested_engines, app, kyc, top):
    base = NESTED_GOOD["app"]
    data = {"app": base | app | ({"kyc": base["kyc"] | kyc} if kyc and "kyc" not in app else {}),
            "dev": NESTED_GOOD["dev"]} | top
    for engine in nested_engines:
        assert _outcome(engine, data, "codegen") == _outcome(engine, data, "interpret"), data


@pytest.mark.parametrize(("data", "fired", "problems"), [
    (NESTED_GOOD, ("AMT", "KYC", "OK", "DEV"), None),
    ({"app": {"amount": 50.0, "kind": "b"}}, ("KYC", "WHOLE"), None),
    ({"app": {"amount": 50, "kind": "b", "kyc": {"score": 1, "doc": {"no": "y"}}}, "dev": None}, (), None),
    ({"app": {"amount": "x", "kind": "c", "kyc": {"doc": 5}}, "dev": [], "items": [1, None]},
     None, ["app.amount", "app.kind", "app.kyc.score", "app.kyc.doc", "dev", "items[1]"]),
    ({"dev": {"tags": ["a", 1]}}, None, ["app", "dev.os", "dev.tags[1]"]),
])
def test_nested_objects_are_normalised_and_reported_in_schema_order(nested_engines, data, fired, problems):
    loose, strict = nested_engines
    for engine in (loose, strict):
        if problems is None:
            assert engine.decide(data, now=NOW).fired == fired
        else:
            with pytest.raises(InputError) as e:
                engine.decide(data, now=NOW)
            assert [p for p, _ in e.value.problems] == problems


def test_strict_input_names_unknown_fields_of_nested_objects_after_their_known_ones(nested_engines):
    _, strict = nested_engines
    data = {"app": NESTED_GOOD["app"] | {"zz": 1, "kyc": NESTED_GOOD["app"]["kyc"] | {"yy": 2}}, "dev": None}
    with pytest.raises(InputError) as e:
        strict.decide(data, now=NOW)
    assert e.value.problems == [("app.kyc.yy", "unknown field"), ("app.zz", "unknown field")]
