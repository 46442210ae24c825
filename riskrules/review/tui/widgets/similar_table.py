"""Reviewed cases nearest to this one, with the verdicts they got."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from .. import format as fmt
from ..similar import SimilarCase
from .case_links import CaseLinksTable


class SimilarTable(CaseLinksTable):
    COLUMNS = (("Case", "case", 5), ("Dist", "distance", 5), ("Verdict", "verdict", 8),
               ("Amount", "amount", 8), ("Outcomes", "outcomes", 12), ("Same values", "shared", None))

    def show_similar(self, similar: Sequence[SimilarCase]) -> None:
        self.clear()
        for s in similar:
            self.add_row(
                Text(str(s.case_id), justify="right", style="bold"),
                Text(f"{s.distance:.2f}", justify="right"),
                fmt.verdict(s.verdict),
                Text(fmt.money(s.amount), justify="right"),
                ", ".join(s.outcomes) or Text("—", style="dim"),
                Text(", ".join(s.shared[:4]), style="dim"),
                key=str(s.case_id),
            )
        if not similar:
            self.add_row("", "", Text("no reviewed cases to compare with yet", style="dim italic"), "", "", "")
