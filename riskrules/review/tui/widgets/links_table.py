"""People linked to the applicant: shared device, phone, contacts, and their cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text

from .. import format as fmt
from ..evidence import Link
from ..service import LinkedCase
from .case_links import CaseLinksTable


class LinksTable(CaseLinksTable):
    COLUMNS = (("Link", "kind", 10), ("Value", "value", 16), ("Case", "case", 5),
               ("Status", "status", 13), ("Verdict", "verdict", 8))

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

    def case_of(self, row_key: str) -> int | None:
        return super().case_of(row_key.partition(":")[2])  # rows are keyed "<link>:<case>"
