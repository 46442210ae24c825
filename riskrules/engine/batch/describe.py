"""The batch plan as text (``riskrules compile --show --backend batch``)."""
from __future__ import annotations

import datetime as dt

from .. import irtext
from .effects import FAULT, _path_column
from .plan import build_plan


def describe(engine, now: dt.datetime | None = None) -> str:
    """The batch plan as text: each rule's polars expression, and what runs per row."""
    prog = engine.program if hasattr(engine, "program") else engine
    if now is None:  # the plan as decide_frame builds it: the declared time per row, else the wall clock
        now = _path_column(prog.decision_time.steps) if prog.decision_time is not None \
            else dt.datetime.now(dt.timezone.utc)
    _, g = build_plan(prog, now)
    out = [f"# batch plan of {prog.name} {prog.version} ({prog.digest})"]
    for r in prog.all_rules:
        v, eff = g.x(r.cond)
        out.append(f"# rule {r.id}")
        out.append(f"rule:{r.id} = {v}")
        if FAULT in eff:
            out.append(f"  faults where: {eff[FAULT]}")
    if g.shared:
        out.append("# builtin calls over input fields, computed once before the features")
        for (func, args), (col, _) in g.shared.items():
            out.append(f"{col.meta.output_name()} = {func}({', '.join(irtext.show(a) for a in args)})")
    per_row = sorted(set(g.per_row))
    out.append("# functions evaluated per row (no vectorised form): " + (", ".join(per_row) or "none"))
    out.append("# models evaluated in Python, a batch at a time: " + (", ".join(g.per_model) or "none"))
    return "\n".join(out) + "\n"
