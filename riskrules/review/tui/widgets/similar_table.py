"""Reviewed cases nearest to this one, with the verdicts they got."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from .. import format as fmt
from ..similar import SimilarCase


class SimilarTable(DataTable):
    class CaseChosen(Message):
        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", **kwargs)

    def on_mount(self) -> None:
        for label, key, width in (("Case", "case", 5), ("Dist", "distance", 5), ("Verdict", "verdict", 8),
                                  ("Amount", "amount", 8), ("Outcomes", "outcomes", 12), ("Same values", "shared", None)):
            self.add_column(label, key=key, width=width)

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

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.CaseChosen(int(event.row_key.value)))
