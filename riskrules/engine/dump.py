"""A readable listing of a program's evaluation graph (``compile --dump-after``)."""
from __future__ import annotations

from .irtext import show


def dump_program(prog) -> str:
    out = [f"# program {prog.name} {prog.version} digest {prog.digest} policy {prog.policy}"]
    for name, node in prog.features.items():
        out.append(f"feature {name} = {show(node)}")
    for name, m in prog.models.items():
        out.append(f"model {name} ({m.model.describe()}) inputs: " + ", ".join(show(a) for a in m.inputs))
    for r in prog.rules + prog.shadow:
        out.append(f"rule {r.id} [{r.status}, {r.action or 'points'}, severity {r.severity}, score {r.score:g}]"
                   f" when {show(r.cond)}")
    for name, t in prog.tables.items():
        out.append(f"table {name} hit {t.hit}{' ' + t.aggregate if t.aggregate else ''} inputs "
                   + ", ".join(show(i) for i in t.inputs))
        for row in t.rows:
            out.append("  row " + " | ".join(show(c) for c in row.cells) + " => "
                       + ", ".join(show(o) for o in row.outputs))
    if prog.score is not None:
        out.append(f"decision.score = {show(prog.score)}")
    if prog.unexplained is not None:
        out.append(f"review.unexplained = {show(prog.unexplained)}")
    for d in sorted(prog.diagnostics, key=lambda d: d.sort_key()):
        out.append(f"# {d.code} {d.span.file}:{d.span.line}:{d.span.col}: {d.message}")
    return "\n".join(out) + "\n"
