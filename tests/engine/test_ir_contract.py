"""The IR contract: every node kind is known to ir.Node and handled by every backend.

Adding a node kind means one dataclass in engine/ir.py (listed in ``Node``, with its
``CHILDREN``) and one handler per backend visitor; these tests name what is missing.
"""
from __future__ import annotations

import dataclasses
import importlib

import pytest

from riskrules.engine import ir

# every module that walks the IR with a Visitor: a backend that stops being one fails here
BACKEND_MODULES = ("riskrules.engine.codegen", "riskrules.engine.interpret", "riskrules.engine.batch.nodes",
                   "riskrules.engine.irtext")


def _visitors() -> list[type]:
    for m in BACKEND_MODULES:
        importlib.import_module(m)
    out, todo = [], list(ir.Visitor.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__ in BACKEND_MODULES:
            out.append(cls)
    return sorted(out, key=lambda c: (c.__module__, c.__qualname__))


VISITORS = _visitors()


def test_every_backend_module_has_a_visitor():
    assert sorted({v.__module__ for v in VISITORS}) == sorted(BACKEND_MODULES)


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: f"{v.__module__}.{v.__qualname__}")
def test_backend_handles_every_node_kind(visitor):
    missing = visitor.missing()
    assert not missing, (f"{visitor.__module__}.{visitor.__qualname__} has no handler for "
                         + ", ".join(f"{visitor.prefix}{k}" for k in missing))
    assert not visitor.strays(), f"{visitor.__qualname__} has handlers for no node kind: {visitor.strays()}"


def test_every_node_dataclass_is_a_node_kind():
    declared = [c for c in vars(ir).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
                and c.__module__ == ir.__name__]
    assert sorted(c.__name__ for c in declared) == sorted(k.__name__ for k in ir.NODES), \
        "every IR node dataclass belongs in ir.Node"


@pytest.mark.parametrize("kind", ir.NODES, ids=lambda k: k.__name__)
def test_children_are_fields(kind):
    fields = {f.name for f in dataclasses.fields(kind)}
    assert set(kind.CHILDREN) <= fields, f"{kind.__name__}.CHILDREN names no field: {set(kind.CHILDREN) - fields}"


def test_children_and_rebuild_follow_children_declaration():
    t = ir.Const(True, ir.BOOL)
    f = ir.Const(False, ir.BOOL)
    node = ir.If(t, ir.Const(1, ir.BOOL), ir.Const(2, ir.BOOL), ir.BOOL, False)
    assert ir.children(node) == (t, node.then, node.other)
    assert ir.rebuild(node, (f, node.then, node.other)).cond is f
    op = ir.Op("and", (t, f), ir.BOOL, False)
    assert ir.children(op) == (t, f)
    assert ir.rebuild(op, [f, t]).args == (f, t)
    missing = ir.Missing(t, False)
    assert ir.children(missing) == (t,) and ir.rebuild(missing, (f,)).value is f
    assert ir.children(t) == () and ir.rebuild(t, ()) is t


def test_a_missing_handler_names_the_backend_and_the_node():
    class Partial(ir.Visitor):
        def visit_Const(self, n):
            return n.value

    assert Partial().visit(ir.Const(3, ir.BOOL)) == 3
    assert "Now" in Partial.missing() and "Const" not in Partial.missing()
    with pytest.raises(NotImplementedError, match=r"Partial has no handler for IR node Now \(add .*visit_Now\)"):
        Partial().visit(ir.Now(ir.BOOL))


def test_something_not_a_node_is_refused():
    with pytest.raises(TypeError, match="not an IR node kind"):
        ir.children(object())


def test_both_per_event_backends_return_one_named_evaluation(tmp_path):
    import datetime as dt

    from riskrules.engine import codegen, tables
    from riskrules.engine.interpret import Interpreter
    from riskrules.engine.policies import make_resolver
    from riskrules.engine.program import Evaluation, Fault
    from riskrules.engine.validate import build_validator

    from .helpers import engine_from

    prog = engine_from(tmp_path, {
        "ruleset": "contract", "version": "1", "schema": {"app": {"age": "int", "debt": "number"}},
        "rules": [{"id": "YOUNG", "when": "app.age < 18", "action": "decline", "reason": "AGE"},
                  {"id": "DTI", "when": "app.debt / 0 > 1", "action": "review"}],
        "decision": {"policy": "worst"}}).program
    resolve = make_resolver(prog, codegen.U)
    hits = {name: tables.hit_functions(t) for name, t in prog.tables.items()}
    data, now = {"app": {"age": 16, "debt": 1.0}}, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    generated = codegen.compile_program(prog, resolve, hits).fn(data, now)
    interpreted = Interpreter(prog, resolve, hits).run(build_validator(prog.schema)(data), now)
    for ev in (generated, interpreted):
        assert type(ev) is Evaluation
        assert ev.fired == [0] and ev.outcome == "decline" and [r.code for r in ev.reasons] == ["AGE", "RULE_ERROR"]
        assert [type(f) for f in ev.errors] == [Fault] and ev.errors[0].where == 1
        assert isinstance(ev.errors[0].error, ZeroDivisionError)
    assert generated._replace(errors=None) == interpreted._replace(errors=None)
