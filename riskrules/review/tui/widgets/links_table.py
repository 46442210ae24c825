"""People linked to the applicant: shared device, phone, contacts, and their cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from .. import format as fmt
from ..evidence import Link
from ..service import LinkedCase


class LinksTable(DataTable):
    class CaseChosen(Message):
        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", **kwargs)

    def on_mount(self) -> None:
        for label, key, width in (("Link", "kind", 10), ("Value", "value", 16), ("Case", "case", 5),
                                  ("Status", "status", 13), ("Verdict", "verdict", 8)):
            self.add_column(label, key=key, width=width)

    def show_links(self, links: Sequence[Link], linked: Mapping[int, LinkedCase]) -> None:
        self.clear()
        for n, link in enumerate(links):
            kind = Text(link.kind, style="bold")
            value = fmt.mask(link.kind, link.value)
            if not link.other_case_ids:
                self.add_row(kind, value, Text("—", style="dim"), Text("no other case", style="dim"), "",
                             key=f"{n}:-")
            for other in link.other_case_ids:
                found = linked.get(other)
                self.add_row(
                    kind, value, Text(str(other), justify="right", style="bold"),
                    fmt.status(found.status, None, "") if found else Text("unknown", style="dim"),
                    fmt.verdict(found.verdict if found else None), key=f"{n}:{other}",
                )
        if not links:
            self.add_row(Text("no shared device, phone or contacts", style="dim italic"), "", "", "", "")

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        other = (event.row_key.value or "").partition(":")[2]
        if other.isdigit():
            self.post_message(self.CaseChosen(int(other)))
