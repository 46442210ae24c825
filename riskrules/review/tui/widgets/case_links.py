"""A table whose rows lead to other cases: selecting one asks to open that case."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.message import Message
from textual.widgets import DataTable


class CaseLinksTable(DataTable):
    """Rows keyed so that :meth:`case_of` finds the case they lead to (or None)."""

    COLUMNS: ClassVar[tuple[tuple[str, str, int | None], ...]] = ()  # (label, key, width)

    class CaseChosen(Message):
        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", **kwargs)

    def on_mount(self) -> None:
        for label, key, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

    def case_of(self, row_key: str) -> int | None:
        return int(row_key) if row_key.isdigit() else None

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        case_id = self.case_of(event.row_key.value or "")
        if case_id is not None:
            self.post_message(self.CaseChosen(case_id))
