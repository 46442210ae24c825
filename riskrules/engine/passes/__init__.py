"""Compiler stages: a named table of pure functions ``(program, ctx) -> program``.

``riskrules compile --dump-after STAGE`` prints the program after any of them.
Each pass rewrites IR nodes bottom-up through :func:`map_program`, which keeps
the DAG's sharing (a shared node is rewritten once) and re-interns the result.
"""
from __future__ import annotations

from dataclasses import replace

from .. import ir
from .fold import fold_constants
from .order import cheap_first

STAGES = {
    "fold": fold_constants,
    "order": cheap_first,
}


def map_program(prog, rewrite):
    """Apply ``rewrite(node) -> node`` bottom-up to every expression of ``prog``."""
    memo: dict[int, object] = {}
    intern = ir.Interner()

    def go(n):
        if n is None:
            return None
        key = id(n)
        if key in memo:
            return memo[key]
        kids = ir.children(n)
        if kids:
            new = tuple(go(k) for k in kids)
            if any(a is not b for a, b in zip(new, kids)):
                n2 = ir.rebuild(n, new)
            else:
                n2 = n
        else:
            n2 = n
        out = intern(rewrite(n2))
        memo[key] = out
        return out

    features = {k: go(v) for k, v in prog.features.items()}
    models = {k: replace(m, inputs=tuple(go(a) for a in m.inputs)) for k, m in prog.models.items()}
    rules = [replace(r, cond=go(r.cond)) for r in prog.rules]
    shadow = [replace(r, cond=go(r.cond)) for r in prog.shadow]
    tables = {}
    for k, t in prog.tables.items():
        rows = tuple(replace(row, cells=tuple(go(c) for c in row.cells), outputs=tuple(go(o) for o in row.outputs))
                     for row in t.rows)
        default = tuple(go(d) for d in t.default) if t.default is not None else None
        tables[k] = replace(t, inputs=tuple(go(i) for i in t.inputs), rows=rows, default=default)
    return replace(prog, features=features, models=models, rules=rules, shadow=shadow, tables=tables,
                   score=go(prog.score), unexplained=go(prog.unexplained))


def run_stages(prog, dump_after: str | None = None):
    """Run every stage in order; returns (program, dump text of ``dump_after`` or None)."""
    from ..dump import dump_program

    dump = dump_program(prog) if dump_after == "check" else None
    for name, stage in STAGES.items():
        prog = stage(prog, {})
        if dump_after == name:
            dump = dump_program(prog)
    return prog, dump
