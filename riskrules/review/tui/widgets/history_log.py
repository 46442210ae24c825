"""What happened to the case: claims, verdicts and notes, oldest first."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from .. import format as fmt
from ..service import CaseView

TIME = "%Y-%m-%d %H:%M"


class HistoryLog(Static):
    def show_history(self, view: CaseView) -> None:
        history = view.history
        events: list[tuple[datetime, int, Text]] = [(view.case.created_at, 0, Text("case opened", style="dim"))]
        for claim in history.claims:
            events.append((claim.claimed_at, 1, Text.assemble(("claimed by ", "dim"), (claim.reviewer, "magenta"))))
            if claim.released_at is not None:
                events.append((claim.released_at, 2, Text.assemble(("claim ended ", "dim"), claim.reviewer)))
        for verdict in history.verdicts:
            events.append((verdict.created_at, 3, Text.assemble(
                fmt.verdict(verdict.verdict), (" by ", "dim"), verdict.reviewer)))
        for note in history.notes:
            events.append((note.created_at, 4, Text.assemble(("note ", "dim"), (note.author, "bold"), ": ", note.text)))
        out = Text()
        for when, _, line in sorted(events, key=lambda e: (e[0], e[1])):
            out.append(f"{when:{TIME}}  ", style="dim")
            out.append_text(line)
            out.append("\n")
        out.rstrip()
        self.update(out)
