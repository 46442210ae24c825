"""Frames in: decide every row as of its decision time, or evaluate the features only."""
from __future__ import annotations

import datetime as dt

import polars as pl

from ..program import Program
from .effects import AS_OF, ENGINE, _path_column
from .input import INPUT_ERROR, DataError, prepare
from .nodes import _Gen
from .plan import build_plan, feature_stages


def decide_frame(engine, df: pl.DataFrame, *, now: dt.datetime | pl.Series | None = None) -> pl.DataFrame:
    """Decide every row of ``df``; one result row per input row, same order.

    Each row is decided as of its own ``decision_time`` field (see :func:`as_of`);
    ``now`` overrides it: one time for every row, or a Series of one time per row.

    Columns: ``outcome``, ``score``, ``fired``, ``shadow_fired``, ``reasons``,
    ``errors`` (lists), ``unexplained``, ``input_error`` (rows that break the
    schema are not decided), ``rule:<id>`` per rule, ``table:<name>.<out>``,
    ``model:<name>`` and ``model:<name>.points``.
    """
    prog = engine.program if hasattr(engine, "program") else engine
    frame, now = as_of(prog, prepare(df, prog.schema), now)
    plan, _ = build_plan(prog, now)
    return plan(frame)


def feature_frame(program, df: pl.DataFrame, names: list[str] | None = None, *,
                  now: dt.datetime | pl.Series | None = None) -> pl.DataFrame:
    """The values a rule can read, one named column each, one row per input row, same order.

    ``names`` are feature names (``dti``) and dotted input paths (``device.accounts``);
    the default is every feature. Features are evaluated exactly as :func:`decide_frame`
    evaluates them (a feature may read another), as of each row's decision time
    (:func:`as_of`; ``now`` overrides it). Nothing else of the plan is computed. A name
    that is neither a feature nor an input field raises :class:`DataError`.

    >>> feature_frame(engine, applications, ["dti", "device.accounts"])   # doctest: +SKIP
    """
    prog = program.program if hasattr(program, "program") else program
    names = list(prog.features) if names is None else list(names)
    frame, now = as_of(prog, prepare(df, prog.schema), now)
    g = _Gen(prog, now)
    stages = feature_stages(g, prog)
    stages[:0] = [g.shared_stages[lv] for lv in sorted(g.shared_stages)]
    lf = frame.lazy()
    for stage in stages:
        lf = lf.with_columns(stage)
    exprs = []
    for name in names:
        if name in prog.features:
            exprs.append(pl.col(f"__f_{name}").alias(name))
        elif _is_field(prog.schema, name.split(".")):
            exprs.append(_path_column(tuple(name.split("."))).alias(name))
        else:
            raise DataError(f"{name}: neither a feature nor an input field of {prog.name}")
    return lf.select(exprs).collect(engine=ENGINE)


def _is_field(t, steps: list[str]) -> bool:
    """Whether ``steps`` name a field of the schema type ``t`` (a field of objects, nested)."""
    for step in steps:
        fields = {name: ft for name, ft, _optional in (getattr(t, "fields", None) or ())}
        if step not in fields:
            return False
        t = fields[step]
    return True


def as_of(prog: Program, frame: pl.DataFrame, now: dt.datetime | pl.Series | None = None):
    """(frame, decision time) for a prepared frame: what ``now()`` is in each row.

    An explicit ``now`` (naive is UTC) is every row's time; a Series of datetimes
    gives each row its own (a replay of logged decisions). Otherwise the
    ruleset's ``decision_time`` column, per row. A row without its time becomes
    an input-error row (never the wall clock); a ruleset that declares no
    decision time decides as of the wall clock.
    """
    if isinstance(now, pl.Series):
        if len(now) != frame.height or not isinstance(now.dtype, pl.Datetime):
            raise DataError(f"one decision time per row is needed: got {len(now)} of {now.dtype} "
                            f"for {frame.height} rows")
        times = now.dt.convert_time_zone("UTC") if now.dtype.time_zone else now.dt.replace_time_zone("UTC")
        frame = frame.with_columns(times.dt.cast_time_unit("us").alias(AS_OF))
        return _unless_missing(frame, pl.col(AS_OF), "the decision time"), pl.col(AS_OF)
    if now is not None:
        return frame, now if now.tzinfo is not None else now.replace(tzinfo=dt.timezone.utc)
    path = prog.decision_time
    if path is None:
        return frame, dt.datetime.now(dt.timezone.utc)
    column = _path_column(path.steps)
    return _unless_missing(frame, column, f"{'.'.join(path.steps)}: the decision time (decision_time)"), column


def _unless_missing(frame: pl.DataFrame, time: pl.Expr, what: str) -> pl.DataFrame:
    """``frame`` with rows whose decision time is missing marked as input errors."""
    missing = pl.col(INPUT_ERROR).is_null() & time.is_null()
    err = pl.when(missing).then(pl.lit(f"{what} is missing")).otherwise(pl.col(INPUT_ERROR))
    return frame.with_columns(err.alias(INPUT_ERROR))
