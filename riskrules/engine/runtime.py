"""The in-process API: :class:`Engine` and :class:`Decision`.

    >>> from riskrules import Engine
    >>> engine = Engine.load("rulesets/origination/ruleset.yaml")
    >>> d = engine.decide(application)            # a mapping or a pydantic model
    >>> d.outcome, d.reasons[0].code, d.to_json()

``decide`` is a pure function of the input, the decision time and the loaded
ruleset version, and it is thread-safe: an Engine holds one immutable
``_Loaded`` snapshot, and ``reload()`` swaps it atomically (one reference
assignment). When the new files do not check, the old version keeps serving
and ``reload`` returns the diagnostics.
"""
from __future__ import annotations

import datetime as _dt
import itertools
import os
import threading
from collections.abc import Mapping
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Iterator

from .._common.json import dumps, to_jsonable
from .._common.time import assume_utc
from ..dsl.diagnostics import Diagnostic, RulesetError
from . import codegen, tables
from .check import check
from .interpret import Interpreter
from .policies import Reason, make_resolver  # noqa: F401 - Reason is part of Decision's API
from .program import Evaluation, Program
from .validate import InputError, as_datetime, build_validator

_UTC = _dt.timezone.utc
_ids = itertools.count(1)
_PROCESS = os.urandom(4).hex()


class Decision:
    """The result of one ``decide()``; ``to_dict()``/``to_json()`` serialise it.

    Outcome, score, reasons, tables and ``unexplained`` are read from the backend's
    :class:`Evaluation` (nothing is copied per decision, nothing can be reassigned);
    rule ids, fault records and model details are built from it when first read, so
    a service that only looks at ``outcome`` pays for nothing else.
    """

    __slots__ = ("_n", "_ev", "ruleset", "model_results", "evaluated_at", "trace", "_loaded", "_cache")

    def __init__(self, n, ev: Evaluation, loaded, model_results, evaluated_at, trace=None):
        self._n = n
        self._ev = ev  # read through the properties below: nothing is copied per decision
        self._loaded = loaded
        self.ruleset = loaded.ruleset
        self.model_results = model_results
        self.evaluated_at = evaluated_at
        self.trace = trace
        self._cache = None

    outcome = property(attrgetter("_ev.outcome"), doc="approve, review, decline or a custom outcome")
    score = property(attrgetter("_ev.score"), doc="decision.score (None without one or when it faulted)")
    reasons = property(attrgetter("_ev.reasons"), doc="at most four principal reasons (Reason)")
    tables = property(attrgetter("_ev.tables"), doc="table -> output -> value")
    unexplained = property(attrgetter("_ev.unexplained"), doc="review.unexplained (None without a review block)")

    @property
    def decision_id(self) -> str:
        """Unique per process run and decision: a random process prefix and a counter."""
        return f"{_PROCESS}-{self._n:010x}"

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the active rules that fired, in evaluation order."""
        ids = self._loaded.rule_ids
        return tuple([ids[i] for i in self._ev.fired])

    @property
    def shadow_fired(self) -> tuple[str, ...]:
        """Ids of the shadow rules that would have fired."""
        ids = self._loaded.rule_ids
        return tuple([ids[i] for i in self._ev.shadow])

    @property
    def errors(self) -> tuple[dict, ...]:
        """One record per fault: where (rule, table, score, review), the error and the rule's position."""
        faults = self._ev.errors
        if not faults:
            return ()
        if self._cache is None:
            self._cache = tuple(_error_dict(self._loaded, f.where, f.error) for f in faults)
        return self._cache

    def __repr__(self) -> str:
        return (f"Decision(outcome={self.outcome!r}, score={self.score!r}, reasons={self.reason_codes!r}, "
                f"fired={self.fired!r}, ruleset={self.ruleset['name']!r} {self.ruleset['version']!r})")

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    @property
    def models(self) -> dict[str, dict]:
        """Each model this decision computed: version, probability, points, contributions."""
        out = {}
        for name, (m, version) in self.model_results.items():
            d = m.to_dict()
            d["version"] = version
            out[name] = d
        return out

    def to_dict(self, *, plain: bool = True) -> dict:
        """The decision as JSON-ready values. ``plain=False`` leaves table outputs and
        model values as computed (dates, durations, NaN) for a caller that serialises
        them itself (the decision log's fast path)."""
        conv = to_jsonable if plain else _same
        d = {
            "decision_id": self.decision_id,
            "outcome": self.outcome,
            "score": self.score,
            "reasons": [r.to_dict() for r in self.reasons],
            "fired": list(self.fired),
            "shadow_fired": list(self.shadow_fired),
            "errors": list(self.errors),
            "tables": conv(self.tables),
            "ruleset": dict(self.ruleset),
            "models": conv(self.models),
            "unexplained": self.unexplained,
            "evaluated_at": self.evaluated_at.isoformat(),
        }
        if self.trace is not None:
            d["trace"] = to_jsonable(self.trace)
        return d

    def to_json(self, **kw) -> str:
        """The decision as JSON text (the policy of :mod:`riskrules._common.json`); ``indent``, ``sort_keys``."""
        return dumps(self.to_dict(), **kw)


def _same(v):
    return v


class _Loaded:
    """One immutable, compiled ruleset version."""

    def __init__(self, prog: Program, diagnostics: list[Diagnostic], strict_input: bool):
        self.program = prog
        self.diagnostics = diagnostics
        self.validate = build_validator(prog.schema, strict=strict_input)
        self.resolve = make_resolver(prog, codegen.U)
        self.table_hits = {name: tables.hit_functions(t) for name, t in prog.tables.items()}
        self.compiled = codegen.compile_program(prog, self.resolve, self.table_hits, strict=strict_input)
        self.interpreter = Interpreter(prog, self.resolve, self.table_hits)
        self.rule_ids = [r.id for r in prog.all_rules]
        self.n_active = len(prog.rules)
        self.ruleset = {"name": prog.name, "version": prog.version, "digest": prog.digest}
        self.model_versions = {name: m.version for name, m in prog.models.items()}


class Engine:
    """A loaded, compiled ruleset, ready to decide. Thread-safe."""

    def __init__(self, loaded: _Loaded, path: Path | None, strict_input: bool = False):
        self._loaded = loaded
        self._path = path
        self._strict = strict_input
        self._reload_lock = threading.Lock()

    # -- loading ----------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike, *, strict_input: bool = False) -> "Engine":
        """Load, check and compile a ruleset file (``.yaml`` or ``.rules``).

        Raises :class:`RulesetError` carrying every diagnostic when it does not check.
        """
        p = Path(path)
        return cls(_build(p, strict_input), p, strict_input)

    @classmethod
    def from_program(cls, prog: Program, diagnostics=(), *, strict_input: bool = False) -> "Engine":
        return cls(_Loaded(prog, list(diagnostics), strict_input), None, strict_input)

    def reload(self) -> list[Diagnostic]:
        """Re-read the files; swap atomically if they check. Returns the diagnostics.

        On errors the old version keeps serving and the diagnostics say why.
        """
        if self._path is None:
            raise RuntimeError("this engine was not loaded from a file")
        with self._reload_lock:
            try:
                new = _build(self._path, self._strict)
            except RulesetError as exc:
                return exc.diagnostics
            self._loaded = new
            return new.diagnostics

    # -- introspection ----------------------------------------------------------------
    @property
    def program(self) -> Program:
        return self._loaded.program

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self._loaded.diagnostics

    @property
    def source(self) -> str:
        """The generated Python source (what ``riskrules compile --show`` prints)."""
        return self._loaded.compiled.source

    @property
    def ruleset(self) -> dict[str, str]:
        return dict(self._loaded.ruleset)

    # -- deciding -----------------------------------------------------------------------
    def decide(self, data, *, now: _dt.datetime | None = None, trace: bool = False,
               backend: str = "codegen") -> Decision:
        """Decide one input (a mapping or a pydantic model).

        ``now`` overrides the decision time. By default it is the ruleset's
        ``decision_time`` field of ``data`` (in UTC, as in batch), and an input
        without it raises :class:`InputError` naming the field; a ruleset that
        declares no decision time decides as of the wall clock (UTC). A naive
        ``now`` is UTC. ``trace`` records every node's value (it runs the reference interpreter);
        ``backend="interpret"`` forces the interpreter. Raises
        :class:`InputError` when the input breaks the schema; faults inside
        rules never escape (see ``Decision.errors``).
        """
        L = self._loaded
        if type(data) is not dict and hasattr(data, "model_dump"):
            data = data.model_dump(mode="python")
        if now is None:
            now = _as_of(L, data) if L.program.decision_time is not None else _dt.datetime.now(_UTC)
        elif now.tzinfo is None:
            now = assume_utc(now)
        trace_log = None
        if trace or backend == "interpret":
            trace_log = [] if trace else None
            ev = L.interpreter.run(L.validate(data), now, trace_log)
        else:
            ev = L.compiled.fn(data, now)  # checks the input itself, as L.validate does
        return _decision(L, ev, now, trace_log)

    def decide_many(self, items: Iterable, *, now: _dt.datetime | None = None) -> Iterator[Decision | InputError]:
        """Decide each item; an item that breaks the schema yields its InputError instead."""
        for item in items:
            try:
                yield self.decide(item, now=now)
            except InputError as exc:
                yield exc


def _build(path: Path, strict_input: bool) -> _Loaded:
    from ..dsl.loader import load_ruleset

    rs = load_ruleset(path, comments=False)  # comments are for fmt
    prog, diags = check(rs)
    if prog is None:
        raise RulesetError(diags, rs.extra.get("sources"))
    return _Loaded(prog, diags, strict_input)


def _as_of(L: _Loaded, data) -> _dt.datetime:
    """The decision time declared by the ruleset, read from ``data``, in UTC.

    UTC, whatever offset the input carries, so that ``today()`` is the same date
    per event and in batch (a column holds one zone). A missing or bad time is
    an InputError together with every other bad field: never the wall clock.
    """
    path = L.program.decision_time
    value = data
    for step in path.steps:
        value = value.get(step) if isinstance(value, (dict, Mapping)) else None
    if type(value) is _dt.datetime and value.tzinfo is not None:  # the common case, without a parse
        return value.astimezone(_UTC)
    when = as_datetime(value) if value is not None else None
    if when is not None:
        return when.astimezone(_UTC)
    try:
        L.validate(data)
        problems = []
    except InputError as exc:
        problems = list(exc.problems)
    field = ".".join(path.steps)
    if not any(p in (field, "") for p, _ in problems):
        problems.append((field, "the decision time (decision_time) is missing; pass now= to decide as of another time"))
    raise InputError(problems)


def _decision(L: _Loaded, ev: Evaluation, now, trace_log) -> Decision:
    used = {}
    models = ev.models
    if models:
        versions = L.model_versions
        used = {name: (m, versions[name]) for name, m in models.items() if m is not codegen.U and m is not None}
    return Decision(next(_ids), ev, L, used, now, trace_log)


def _error_dict(L: _Loaded, where, exc) -> dict:
    if isinstance(where, int):
        r = L.program.all_rules[where]
        return {"where": f"rule:{r.id}", "rule": r.id, "shadow": where >= L.n_active,
                "error": type(exc).__name__, "message": str(exc),
                "at": f"{r.span.file}:{r.span.line}:{r.span.col}"}
    return {"where": where, "rule": None, "shadow": False, "error": type(exc).__name__, "message": str(exc), "at": None}
