"""Rules that fired, fired in shadow, or nearly fired, and the reasons given."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..evidence import Evidence
from .contributions import bar


class RulesPanel(Static):
    def show_rules(self, evidence: Evidence) -> None:
        reason_of = {r.source: r.code for r in evidence.reasons}
        out = Text()
        out.append(f"Fired ({len(evidence.fired)})\n", style="bold")
        for rule in evidence.fired:
            out.append("  ● ", style="bold red")
            out.append(rule, style="bold")
            if rule in reason_of:
                out.append(f"  {reason_of[rule]}", style="dim")
            out.append("\n")
        if not evidence.fired:
            out.append("  none\n", style="dim italic")
        if evidence.shadow_fired:
            out.append(f"Shadow ({len(evidence.shadow_fired)})\n", style="bold")
            for rule in evidence.shadow_fired:
                out.append("  ◌ ", style="magenta")
                out.append(f"{rule}\n", style="magenta")
        out.append(f"Nearly fired ({len(evidence.nearly_fired)})\n", style="bold")
        for miss in evidence.nearly_fired:
            closeness = 1.0 - (miss.distance if miss.distance is not None else 1.0)
            out.append("  ")
            out.append(f"{miss.rule:<8}", style="bold yellow")
            out.append(f"{bar(closeness, 6):<6}", style="yellow")
            out.append(f" {miss.distance:.2f} " if miss.distance is not None else "  —  ", style="dim")
            out.append(miss.name or "")
            if miss.detail:
                out.append(f"\n            {miss.detail}", style="dim")
            out.append("\n")
        if not evidence.nearly_fired:
            out.append("  none\n", style="dim italic")
        if evidence.reasons:
            out.append(f"Reasons ({len(evidence.reasons)})\n", style="bold")
            for reason in evidence.reasons:
                out.append(f"  {reason.code}", style="bold")
                out.append(f"  {reason.source}", style="cyan")
                if reason.detail:
                    out.append(f"  {reason.detail}", style="dim")
                out.append("\n")
        out.rstrip()
        self.update(out)
