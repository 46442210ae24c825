"""Rule proposals: status, proposer, shadow-period hits; promote a shadow rule.

Promotion runs ``learned.promote`` in a worker: maker-checker is enforced by the
store (the proposer cannot promote their own rule), and the proposal, learned.yaml
and the rule's generated test flip to active together or not at all. Errors are
shown on the screen, never raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from riskrules.review.store import MakerCheckerViolation

from ..service import ProposalRow
from .rule import describe_error

if TYPE_CHECKING:
    from ..app import ReviewApp

STATUS_STYLE = {"draft": "dim", "shadow": "yellow", "active": "green", "rejected": "red"}


def maker_checker_message(row: ProposalRow, actor: str) -> str:
    return (f"You ({actor}) proposed {row.rule_id}; another reviewer must promote it (maker-checker).")


class ProposalsScreen(Screen):
    """Lists rule proposals; ``P`` promotes the selected shadow rule."""

    BINDINGS = [
        Binding("P", "promote", "Promote"),
        Binding("r", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ProposalRow] | None, error: str | None = None) -> None:
            super().__init__()
            self.rows, self.error = rows, error

    class Promoted(Message):
        def __init__(self, row: ProposalRow, result: Any, error: str | None = None) -> None:
            super().__init__()
            self.row, self.result, self.error = row, result, error

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ProposalRow] = []
        self._busy = False

    @property
    def review_app(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
        yield Static("", id="proposal-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#proposals", DataTable)
        table.border_title = "Rule proposals"
        table.border_subtitle = "P promote · r refresh · esc back"
        for key, label in (("id", "#"), ("rule", "Rule"), ("ruleset", "Ruleset"), ("status", "Status"),
                           ("proposed_by", "Proposed by"), ("promoted_by", "Promoted by"),
                           ("hits", "Shadow hits"), ("expression", "Expression")):
            table.add_column(label, key=key)
        table.loading = True
        self._load()

    def action_refresh(self) -> None:
        self.query_one("#proposals", DataTable).loading = True
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="proposals-load")
    def _load(self) -> None:
        try:
            rows = self.review_app.service.proposals()
        except Exception as error:  # noqa: BLE001 - shown, never raised
            self.post_message(self.Loaded(None, describe_error(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one("#proposals", DataTable)
        table.loading = False
        if message.rows is None:
            self._status(Text.assemble(("cannot list proposals: ", "bold red"), message.error or ""))
            return
        selected = self._selected()
        self.rows = message.rows
        table.clear()
        for row in self.rows:
            table.add_row(str(row.id), row.rule_id, row.ruleset, Text(row.status, STATUS_STYLE.get(row.status, "")),
                          row.proposed_by, row.promoted_by or "—", str(row.shadow_hits), row.expression,
                          key=str(row.id))
        if selected is not None and any(r.id == selected.id for r in self.rows):
            table.move_cursor(row=table.get_row_index(str(selected.id)))
        if not self.rows:
            self._status(Text("No rule proposals yet: propose one from a case (p).", style="dim"))

    def _selected(self) -> ProposalRow | None:
        table = self.query_one("#proposals", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((r for r in self.rows if str(r.id) == key), None)

    def _status(self, text: Text | str) -> None:
        self.query_one("#proposal-status", Static).update(text)

    def action_promote(self) -> None:
        row = self._selected()
        if row is None or self._busy:
            return
        actor = self.review_app.reviewer
        if row.proposed_by == actor:
            message = maker_checker_message(row, actor)
            self._status(Text.assemble(("refused: ", "bold red"), message))
            self.notify(message, severity="error")
            return
        if row.status != "shadow":
            message = f"{row.rule_id} is {row.status}; only a shadow rule can be promoted."
            self._status(Text.assemble(("refused: ", "bold red"), message))
            self.notify(message, severity="warning")
            return
        self._busy = True
        self._status(Text(f"promoting {row.rule_id}…", style="dim"))
        self._promote(row)

    @work(thread=True, group="proposals-promote")
    def _promote(self, row: ProposalRow) -> None:
        app = self.review_app
        try:
            result = app.service.promote_rule(row.id, app.reviewer, app.ruleset_dir(row.ruleset))
        except MakerCheckerViolation as error:
            self.post_message(self.Promoted(row, None, f"{error} (maker-checker)"))
            return
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            self.post_message(self.Promoted(row, None, describe_error(error)))
            return
        self.post_message(self.Promoted(row, result))

    @on(Promoted)
    def _promoted(self, message: Promoted) -> None:
        self._busy = False
        if message.result is None:
            self._status(Text.assemble(("not promoted: ", "bold red"), message.error or ""))
            self.notify(f"Not promoted: {message.error}", severity="error")
            return
        r = message.result
        text = Text.from_markup(
            f"[bold green]{escape(r.rule_id)} is active[/] (promoted by {escape(r.promoted_by)}); in shadow it "
            f"fired on {r.shadow_hits} of {r.shadow_decisions} decisions")
        if r.test_failures:
            text.append("\n")
            text.append(f"{len(r.test_failures)} ruleset test(s) now fail: ", style="bold yellow")
            text.append("; ".join(r.test_failures[:3]))
        self._status(text)
        self.notify(f"{r.rule_id} is active.")
        self.action_refresh()
