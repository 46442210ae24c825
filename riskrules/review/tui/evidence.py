"""A lenient reading of ``Case.evidence`` for display.

Evidence is written by the intake side and its shape grows over time, so every
section is read on its own: a missing or malformed section becomes empty instead
of taking the whole case screen down with it.

>>> ev = read_evidence({"features": {"dti": 0.41}, "fired": ["INC-003"]})
>>> ev.features, ev.fired, ev.models
({'dti': 0.41}, ('INC-003',), ())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: Any
    points: float
    reason: str | None


@dataclass(frozen=True, slots=True)
class ModelResult:
    name: str
    probability: float | None
    points: float | None
    version: str | None
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class NearMiss:
    rule: str
    name: str
    distance: float | None
    detail: str


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    source: str
    detail: str


@dataclass(frozen=True, slots=True)
class Link:
    kind: str
    value: str
    other_case_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    input: Mapping[str, Any] = field(default_factory=dict)
    features: Mapping[str, Any] = field(default_factory=dict)
    models: tuple[ModelResult, ...] = ()
    fired: tuple[str, ...] = ()
    shadow_fired: tuple[str, ...] = ()
    nearly_fired: tuple[NearMiss, ...] = ()
    ruleset: Mapping[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    score: float | None = None
    reasons: tuple[Reason, ...] = ()
    links: tuple[Link, ...] = ()


def read_evidence(raw: Any) -> Evidence:
    """Evidence from whatever the case holds; unknown keys are ignored."""
    data = raw if isinstance(raw, Mapping) else {}
    return Evidence(
        input=_mapping(data.get("input")),
        features=_mapping(data.get("features")),
        models=tuple(_models(data.get("models"))),
        fired=_strings(data.get("fired")),
        shadow_fired=_strings(data.get("shadow_fired")),
        nearly_fired=tuple(_near_misses(data.get("nearly_fired"))),
        ruleset=_mapping(data.get("ruleset")),
        outcome=_text(data.get("outcome")) or None,
        score=_number(data.get("score")),
        reasons=tuple(_reasons(data.get("reasons"))),
        links=tuple(_links(data.get("links"))),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in _items(value) if item is not None)


def _models(value: Any) -> list[ModelResult]:
    found = []
    for name, body in _mapping(value).items():
        body = _mapping(body)
        contributions = [
            Contribution(
                feature=_text(c.get("feature")) or "?",
                value=c.get("value"),
                points=_number(c.get("points")) or 0.0,
                reason=_text(c.get("reason")) or None,
            )
            for c in map(_mapping, _items(body.get("contributions")))
        ]
        found.append(
            ModelResult(
                name=str(name),
                probability=_number(body.get("probability")),
                points=_number(body.get("points")),
                version=_text(body.get("version")) or None,
                contributions=tuple(contributions),
            )
        )
    return found


def _near_misses(value: Any) -> list[NearMiss]:
    misses = []
    for item in map(_mapping, _items(value)):
        distance = _number(item.get("distance"))
        misses.append(
            NearMiss(
                rule=_text(item.get("rule")) or "?",
                name=_text(item.get("name")),
                distance=None if distance is None else min(max(distance, 0.0), 1.0),
                detail=_text(item.get("detail")),
            )
        )
    return sorted(misses, key=lambda m: (m.distance is None, m.distance or 0.0, m.rule))


def _reasons(value: Any) -> list[Reason]:
    return [
        Reason(_text(r.get("code")) or "?", _text(r.get("source")), _text(r.get("detail")))
        for r in map(_mapping, _items(value))
    ]


def _links(value: Any) -> list[Link]:
    links = []
    for item in map(_mapping, _items(value)):
        ids = tuple(int(i) for i in _items(item.get("other_case_ids")) if _is_int(i))
        links.append(Link(_text(item.get("kind")) or "?", _text(item.get("value")), ids))
    return links


def _is_int(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)
