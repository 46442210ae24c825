"""Compiler stages: a named table of pure functions ``(program, ctx) -> program``.

    lower    the parsed ruleset -> a checked, interned IR program (engine/check.py);
             errors raise RulesetError, warnings ride on Program.diagnostics
    fold     operators over literals become literals (passes/fold.py)
    order    cheap operands of and/or first (passes/order.py)
    analyse  never-firing and shadowed rules, table gaps -> more diagnostics (engine/analysis.py)

The first stage's input is the ruleset AST; each later one takes and returns a
frozen :class:`~riskrules.engine.program.Program`. ``riskrules compile
--dump-after STAGE`` prints the program after any of them, and
tests/engine/passes/<stage>.txt holds each stage's ``input ; expected`` cases.
Passes rewrite IR nodes bottom-up through :func:`map_program`, which keeps the
DAG's sharing (a shared node is rewritten once) and re-interns the result.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import ir
from ..analysis import add_findings
from ..check import lower
from .fold import fold_constants
from .order import cheap_first


@dataclass(frozen=True)
class Context:
    """What the stages may read besides the program. No stage opens a file: the loader
    bound lists and models from the bytes it read; ``base_dir`` only names the folder."""

    base_dir: Path | None = None


STAGES = {
    "lower": lower,
    "fold": fold_constants,
    "order": cheap_first,
    "analyse": add_findings,
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
    rules = tuple(replace(r, cond=go(r.cond)) for r in prog.rules)
    shadow = tuple(replace(r, cond=go(r.cond)) for r in prog.shadow)
    tables = {}
    for k, t in prog.tables.items():
        rows = tuple(replace(row, cells=tuple(go(c) for c in row.cells), outputs=tuple(go(o) for o in row.outputs))
                     for row in t.rows)
        default = tuple(go(d) for d in t.default) if t.default is not None else None
        tables[k] = replace(t, inputs=tuple(go(i) for i in t.inputs), rows=rows, default=default)
    return replace(prog, features=features, models=models, rules=rules, shadow=shadow, tables=tables,
                   score=go(prog.score), unexplained=go(prog.unexplained))


def run_stages(ruleset, ctx: Context, dump_after: str | None = None, *, until: str | None = None):
    """Run the stages in order (through ``until``, default all) on a parsed ruleset.

    Returns (program, the program's dump after stage ``dump_after`` or None); raises
    RulesetError when lowering finds errors.
    """
    from ..dump import dump_program

    prog, dump = ruleset, None
    for name, stage in STAGES.items():
        prog = stage(prog, ctx)
        if dump_after == name:
            dump = dump_program(prog)
        if until == name:
            break
    return prog, dump
