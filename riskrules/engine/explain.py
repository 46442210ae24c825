"""One decision as a rich tree of why (``riskrules explain``)."""
from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from .irtext import show

_COLOR = {"approve": "green", "review": "yellow", "decline": "red"}


def explain_tree(engine, d) -> Tree:
    p = engine.program
    color = _COLOR.get(d.outcome, "magenta")
    score = f", score {d.score:.1f}" if isinstance(d.score, (int, float)) else ""
    root = Tree(f"[bold {color}]{d.outcome.upper()}[/]{score} — {escape(p.name)} {escape(p.version)} "
                f"[dim]({p.digest})[/]")
    if d.reasons:
        rs = root.add("[bold]principal reasons[/]")
        for i, r in enumerate(d.reasons, 1):
            rs.add(f"{i}. [bold]{escape(r.code)}[/] [dim]{escape(r.source)}[/] {escape(r.detail)}")
    values = {}
    for entry in d.trace or []:
        values.setdefault(entry["node"], entry["value"])
    fired = set(d.fired)
    rules = root.add(f"[bold]rules[/] ({len(d.fired)} of {len(p.rules)} active fired)")
    for r in p.rules:
        if r.id in fired:
            node = rules.add(f"[{_COLOR.get(r.action or '', 'cyan')}]✔ {escape(r.id)}[/] {escape(r.name)} → "
                             f"{r.action or 'points'}{f' (+{r.score:g})' if r.score else ''}")
            node.add(f"[dim]when[/] {escape(show(r.cond))}")
            _operands(node, r.cond, values)
    errors = [e for e in d.errors]
    if errors:
        en = root.add("[bold red]faults[/]")
        for e in errors:
            en.add(f"[red]{escape(e['where'])}[/]: {escape(e['error'])}: {escape(e['message'])}")
    if d.shadow_fired:
        sh = root.add("[bold]shadow rules that would have fired[/]")
        for rid in d.shadow_fired:
            sh.add(escape(rid))
    if d.models:
        mn = root.add("[bold]models[/]")
        for name, m in d.models.items():
            node = mn.add(f"{escape(name)} v{escape(str(m.get('version')))}: probability {m['probability']:.3f}, "
                          f"points {m['points']:.1f}")
            for c in m.get("contributions", []):
                bar = "█" * max(0, min(30, int(abs(c["points"]) / 3)))
                node.add(f"{escape(c['feature'])} = {escape(str(c['value']))}: {c['points']:+g} {bar}"
                         + (f" [dim]{escape(c['reason'])}[/]" if c.get("reason") else ""))
    if d.tables:
        tn = root.add("[bold]tables[/]")
        for name, outs in d.tables.items():
            tn.add(f"{escape(name)}: " + ", ".join(f"{k} = {escape(str(v))}" for k, v in outs.items()))
    if d.unexplained is not None:
        root.add(f"[bold]review[/]: {'[yellow]unexplained → review queue[/]' if d.unexplained else 'explained'}")
    return root


def _operands(node, cond, values) -> None:
    from . import ir

    shown = 0
    for n in ir.walk(cond):
        if isinstance(n, (ir.Path, ir.Feat, ir.ModelOut, ir.Call)) and shown < 8:
            key = show(n)
            if key in values:
                node.add(f"[dim]{escape(key)} =[/] {escape(repr(values[key]))}")
                shown += 1
