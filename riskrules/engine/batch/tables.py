"""Decision tables as polars expressions: rows, hit policies, outputs and faults."""
from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from .. import ir
from .effects import FAULT, _and, _merge, _or, _truth
from .input import polars_type

if TYPE_CHECKING:
    from .nodes import _Gen


def _table(g: _Gen, name, tab):
    """(outputs, fault, model use, columns for a stage before the outputs) of a decision table."""
    ins = [g.x(i) for i in tab.inputs]
    eff = _merge(*[e for _, e in ins])
    fault = eff.get(FAULT, pl.lit(False))
    used = {k[2:]: v for k, v in eff.items() if k.startswith("m:")}
    n_out = len(tab.outputs)
    matches = []
    for row in tab.rows:
        m, reach, rfault = pl.lit(True), None, None
        for k, c in enumerate(row.cells):
            if isinstance(c, ir.Const) and c.value is True:
                continue
            g.cell = ins[k]
            v, e = g.x(c)
            g.cell = None
            if FAULT in e:
                rfault = _or(rfault, e[FAULT] if reach is None else (reach & e[FAULT]))
            for key, val in e.items():
                if key.startswith("m:"):
                    used[key[2:]] = _or(used.get(key[2:]), val if reach is None else (reach & val))
            reach = _and(reach, _truth(v))
            m = m & _truth(v)
        outs = [g.fitted(*g.x(o), t) for o, t in zip(row.outputs, tab.output_types)]
        for _, e in outs:
            for key, val in e.items():
                if key.startswith("m:"):
                    used[key[2:]] = _or(used.get(key[2:]), m & val)
        ofault = _merge(*[e for _, e in outs]).get(FAULT)
        matches.append((m, rfault, [v for v, _ in outs], ofault))
    defaults = [g.fitted(*g.x(d), t) for d, t in zip(tab.default, tab.output_types)] if tab.default is not None else []
    default = [v for v, _ in defaults] if defaults else [pl.lit(None)] * n_out
    default_eff = _merge(*[e for _, e in defaults]) if defaults else {}
    pre = []
    if tab.hit == "first" and matches:
        # the first matching row's number, each row's condition evaluated once; the outputs and
        # faults read it rather than repeating the conditions of every earlier row
        first = pl.when(matches[0][0]).then(pl.lit(0, dtype=pl.Int32))
        for i, (m, *_) in enumerate(matches[1:], 1):
            first = first.when(m).then(pl.lit(i, dtype=pl.Int32))
        pre.append(first.otherwise(pl.lit(None, dtype=pl.Int32)).alias(f"__tm_{name}"))
        hit = pl.col(f"__tm_{name}")
        no_match = hit.is_null()
    else:
        no_match = ~pl.any_horizontal([m for m, *_ in matches]) if matches else pl.lit(True)
    if FAULT in default_eff:  # the default is evaluated only when no row matches
        fault = fault | (no_match & default_eff[FAULT])
    for key, val in default_eff.items():
        if key.startswith("m:"):
            used[key[2:]] = _or(used.get(key[2:]), no_match & val)
    if tab.hit == "first":
        chosen = [None] * n_out
        for i, (m, rfault, vals, ofault) in enumerate(matches):
            if rfault is not None:  # row i is reached when no earlier row matched
                fault = fault | ((no_match | (hit >= i)) & rfault)
            if ofault is not None:
                fault = fault | ((hit == i).fill_null(False) & ofault)
            for k in range(n_out):
                chosen[k] = pl.when(hit == i).then(vals[k]) if chosen[k] is None else chosen[k].when(hit == i).then(vals[k])
        out = [c.otherwise(d) if c is not None else d for c, d in zip(chosen, default)] if matches else default
    else:
        for m, rfault, vals, ofault in matches:
            if rfault is not None:
                fault = fault | rfault
            if ofault is not None:
                fault = fault | (m & ofault)
        ms = [m for m, *_ in matches]
        count = pl.sum_horizontal([m.cast(pl.Int64) for m in ms]) if ms else pl.lit(0)
        by_priority = sorted(range(len(matches)), key=lambda i: (-tab.rows[i].priority, i))
        if tab.hit == "unique":
            fault = fault | (count > 1)
            out = _pick(matches, default, n_out, list(range(len(matches))))
        elif tab.hit == "any":
            out = _pick(matches, default, n_out, list(range(len(matches))))
            for m, _, vals, _ in matches:  # a matching row that disagrees with the first one
                for k in range(n_out):
                    fault = fault | (m & vals[k].ne_missing(out[k])).fill_null(False)
        elif tab.hit == "priority":
            out = _pick(matches, default, n_out, by_priority)
        elif tab.aggregate is None:  # rule_order, output_order, collect: one aligned list per output
            order = by_priority if tab.hit == "output_order" else range(len(matches))
            out = []
            for k in range(n_out):
                ty = pl.List(polars_type(tab.output_types[k].item))
                # a matching row adds its value (null when missing), so the lists stay aligned by row
                col = [pl.when(matches[i][0]).then(pl.concat_list([matches[i][2][k].cast(ty.inner)]))
                       .otherwise(pl.lit([], dtype=ty)) for i in order]
                out.append(pl.concat_list(col) if col else pl.lit([], dtype=ty))
        else:
            out = []
            for k in range(n_out):
                col = [pl.when(m).then(vals[k]) for m, _, vals, _ in matches]
                if tab.aggregate == "count":
                    out.append(pl.sum_horizontal([c.is_not_null().cast(pl.Int64) for c in col]) if col else pl.lit(0))
                else:
                    fn = {"sum": pl.sum_horizontal, "min": pl.min_horizontal, "max": pl.max_horizontal}[tab.aggregate]
                    if not col:
                        out.append(default[k])
                        continue
                    present = pl.any_horizontal([c.is_not_null() for c in col])
                    hit = pl.any_horizontal(ms)
                    out.append(pl.when(present).then(fn(col)).when(hit).then(None).otherwise(default[k]))
    out = [pl.when(fault).then(None).otherwise(o) for o in out]
    return out, fault, used, pre


def _pick(matches, default, n_out, order):
    out = []
    for k in range(n_out):
        e = None
        for i in order:
            m, _, vals, _ = matches[i]
            e = pl.when(m).then(vals[k]) if e is None else e.when(m).then(vals[k])
        out.append(e.otherwise(default[k]) if e is not None else default[k])
    return out
