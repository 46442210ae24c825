"""The registry's contract: every builtin is documented, well-typed and listed."""
from __future__ import annotations

import inspect
import pathlib

import pytest

from riskrules.engine import types as T
from riskrules.engine.functions import ArgTypeError, Builtin, all_builtins, describe_all, get

BUILTINS = all_builtins()
DOMAINS = {"text", "intent", "math", "time", "finance", "identity", "lists", "money"}


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_well_formed(name):
    b: Builtin = BUILTINS[name]
    assert b.doc and b.impl.__doc__, "every builtin needs a docstring"
    assert b.domain in DOMAINS
    assert all(isinstance(p, T.Type) for p in b.params)
    assert isinstance(b.returns, T.Type) or callable(b.returns)
    assert b.context in (None, "now")
    assert not b.variadic or b.params, "a variadic builtin needs a parameter to repeat"
    assert all(0 <= i < len(b.params) for i in b.literal_params)
    assert bool(b.literal_params) == (b.validate is not None), "literals are validated"
    assert b.polars_fault is None or b.polars is not None
    if b.requires is not None:  # a vectorised predicate over the same arguments, instead of polars_fault
        pred = BUILTINS[b.requires]
        assert b.polars is not None and b.polars_fault is None and pred.polars is not None
        assert pred.params == b.params and pred.returns == T.BOOL and not pred.literal_params
    assert b.signature().startswith(f"{name}(")
    ps = list(inspect.signature(b.impl).parameters.values())
    if b.context == "now":
        ps = ps[1:]
    if b.variadic:
        assert ps[-1].kind is inspect.Parameter.VAR_POSITIONAL
    else:
        assert len(ps) == len(b.params)
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in ps)


@pytest.mark.parametrize("name,args,expected", [
    ("abs", [T.INT], T.INT),
    ("abs", [T.NUMBER], T.NUMBER),
    ("min", [T.INT, T.INT], T.INT),
    ("max", [T.INT, T.NUMBER], T.NUMBER),
    ("max", [T.DATE, T.DATE], T.DATE),
    ("coalesce", [T.NULL, T.INT, T.NUMBER], T.NUMBER),
    ("coalesce", [T.enum_of(["a"]), T.STRING], T.STRING),
    ("round", [T.INT, T.INT], T.INT),
    ("clamp", [T.NUMBER, T.INT, T.INT], T.NUMBER),
    ("years_since", [T.DATE], T.INT),
    ("days_since", [T.DATETIME], T.INT),
    ("sum", [T.list_of(T.INT)], T.INT),
    ("sum", [T.list_of(T.NUMBER)], T.NUMBER),
    ("list_max", [T.list_of(T.DATE)], T.DATE),
    ("overlaps", [T.list_of(T.STRING), T.list_of(T.enum_of(["x"]))], T.BOOL),
    ("count_in", [T.list_of(T.INT), T.list_of(T.NUMBER)], T.INT),
    ("cn_id_gender", [T.STRING], T.enum_of(["female", "male"])),
])
def test_result_types(name, args, expected):
    assert get(name).result_type(args) == expected


@pytest.mark.parametrize("name,args", [
    ("abs", [T.STRING]),
    ("min", [T.DATE, T.INT]),
    ("max", [T.BOOL, T.BOOL]),
    ("coalesce", [T.STRING, T.INT]),
    ("years_since", [T.STRING]),
    ("days_since", [T.DURATION]),
    ("list_min", [T.list_of(T.BOOL)]),
    ("overlaps", [T.list_of(T.STRING), T.list_of(T.INT)]),
])
def test_result_type_errors(name, args):
    with pytest.raises(ArgTypeError):
        get(name).result_type(args)


def test_docs_are_generated_from_the_registry():
    doc = (pathlib.Path(__file__).parents[3] / "docs" / "functions.md").read_text("utf-8")
    assert describe_all() in doc, "regenerate docs/functions.md (see its header)"
