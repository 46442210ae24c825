"""The evidence snapshot of a review case: what the engine saw and why it said what it said.

A case keeps this snapshot so that a reviewer sees the decision as it was made,
even after the ruleset changes. It is built only for the rare decisions that become
cases, so it can afford a second, traced run on the reference interpreter.

>>> evidence = build_evidence(engine, application, now=now)     # doctest: +SKIP
>>> evidence["nearly_fired"][0]  # doctest: +SKIP
{'rule': 'DEV-006', 'name': '...', 'distance': 0.25, 'detail': 'device.accounts = 3, needs >= 4'}
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .._common.json import to_jsonable
from ..engine import ir
from ..engine.analysis import atom_dom, conjuncts
from ..engine.irtext import show

NEARLY_MAX_DISTANCE = 0.34  # a rule counts as "nearly fired" when at most about a third away
NEARLY_MAX_RULES = 5


def build_evidence(engine, data: Any, *, decision=None, now: dt.datetime | None = None) -> dict:
    """The JSON-safe evidence dict for one input (``decision`` is re-made with a trace).

    Keys: input, features, models, fired, shadow_fired, nearly_fired, ruleset,
    outcome, score, reasons, links (empty; a viewer may fill it from the book's edges).
    """
    when = now or (decision.evaluated_at if decision is not None else None)
    traced = engine.decide(data, now=when, trace=True)
    values = {t["node"]: t["value"] for t in traced.trace}
    prog = engine.program
    return to_jsonable({
        "input": dict(data),
        "features": {name: values.get(name) for name in prog.features},
        "models": traced.models,
        "fired": list(traced.fired),
        "shadow_fired": list(traced.shadow_fired),
        "nearly_fired": nearly_fired(prog, traced, values, data),
        "ruleset": dict(traced.ruleset),
        "outcome": traced.outcome,
        "score": traced.score,
        "reasons": [r.to_dict() for r in traced.reasons],
        "unexplained": traced.unexplained,
        "evaluated_at": traced.evaluated_at,
        "links": [],
    })


def nearly_fired(prog, decision, values: dict, data: Any) -> list[dict]:
    """Active and shadow rules that did not fire but came close, nearest first.

    A rule's distance is the sum over its conjuncts of how far each failed one is
    from its threshold, relative to the threshold (0 = holds, 1 = far or not
    measurable), capped at 1: every failed condition would have to move. Rules at
    most ``NEARLY_MAX_DISTANCE`` away are kept.
    """
    fired = set(decision.fired) | set(decision.shadow_fired)
    out = []
    for rule in prog.all_rules:
        if rule.id in fired:
            continue
        parts = [_atom_distance(a, values, data) for a in conjuncts(rule.cond)]
        if not parts:
            continue
        distance = min(1.0, sum(d for d, _ in parts))
        if distance <= NEARLY_MAX_DISTANCE:
            detail = "; ".join(text for d, text in parts if d > 0)
            out.append({"rule": rule.id, "name": rule.name, "distance": round(distance, 3), "detail": detail})
    out.sort(key=lambda r: (r["distance"], r["rule"]))
    return out[:NEARLY_MAX_RULES]


def _atom_distance(atom, values: dict, data: Any) -> tuple[float, str]:
    text = show(atom)
    held = values.get(text)
    if held is True:
        return 0.0, text
    read = atom_dom(atom)
    if read is None or read[1] is None:
        return 1.0, f"{text} is false"
    subject, dom = read
    name = show(subject)
    value = values.get(name, _lookup(subject, data))
    if value is None:
        return 1.0, f"{name} is missing"
    if dom.contains(value):
        return 0.0, text
    bound = dom.lo if dom.lo is not None and _lt(value, dom.lo) else dom.hi
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(bound, (int, float)):
        return 1.0, f"{name} = {_short(value)}, needs {text}"
    gap = abs(value - bound) / max(abs(bound), 1.0)
    return min(1.0, max(gap, 1e-3)), f"{name} = {_short(value)}, needs {_need(dom)}"


def _need(dom) -> str:
    parts = []
    if dom.lo is not None:
        parts.append(f"{'>=' if dom.lo_closed else '>'} {dom.lo}")
    if dom.hi is not None:
        parts.append(f"{'<=' if dom.hi_closed else '<'} {dom.hi}")
    return " and ".join(parts) or "another value"


def _lt(a, b) -> bool:
    try:
        return a < b
    except TypeError:
        return False


def _lookup(subject, data: Any):
    if not isinstance(subject, ir.Path):
        return None
    node = data
    for step in subject.steps:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def _short(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
