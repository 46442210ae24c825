"""Key bindings of every screen, read from the screens themselves so they never drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.note_editor import NoteEditor
from .case import CaseScreen
from .queue import QueueScreen

KEY_NAMES = {"slash": "/", "escape": "esc", "enter": "enter", "question_mark": "?", "ctrl+s": "ctrl+s",
             "ctrl+q": "ctrl+q"}


def key_label(key: str) -> str:
    return ", ".join(KEY_NAMES.get(k, k) for k in key.split(","))


def binding_rows(bindings: list) -> list[tuple[str, str]]:
    """(keys, description) rows; runs of digit keys fold into one ``1-5`` row."""
    rows: list[tuple[str, str]] = []
    digits: list[tuple[str, str]] = []
    for b in [*bindings, None]:
        binding = b if isinstance(b, Binding) or b is None else Binding(*b)
        if binding is not None and binding.key.isdigit():
            digits.append((binding.key, binding.description or binding.action))
            continue
        if digits:
            keys = digits[0][0] if len(digits) == 1 else f"{digits[0][0]}-{digits[-1][0]}"
            rows.append((keys, "show " + " / ".join(d for _, d in digits)))
            digits = []
        if binding is not None:
            rows.append((key_label(binding.key), binding.description or binding.action))
    return rows


# keys of the rule workflow, listed in their own section (after the case keys)
RULE_ACTIONS = ("proposals", "propose_rule")


def _without_rules(bindings: list) -> list:
    return [b for b in bindings if not (isinstance(b, Binding) and b.action in RULE_ACTIONS)]


def _rule_keys() -> list[tuple[str, str]]:
    """One compact section: the keys that open the rule screens and their main keys
    (the screens' own bindings are listed in full in docs/review_tui.md)."""
    where = {"proposals": "queue", "propose_rule": "case", "save": "rule screen", "promote": "proposals"}
    from .proposals import ProposalsScreen
    from .rule import RuleScreen

    keys = [b for b in [*QueueScreen.BINDINGS, *CaseScreen.BINDINGS, *RuleScreen.BINDINGS, *ProposalsScreen.BINDINGS]
            if isinstance(b, Binding) and b.action in where]
    return [(key_label(b.key), f"{b.description} ({where[b.action]})") for b in keys]


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from ..app import ReviewApp

    return [
        ("Queue", binding_rows(_without_rules(QueueScreen.BINDINGS))),
        ("Case", binding_rows(_without_rules(CaseScreen.BINDINGS))),
        ("Writing a note", binding_rows(NoteEditor.BINDINGS)),
        ("Everywhere", binding_rows(ReviewApp.BINDINGS)),
        ("Rules", _rule_keys()),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "riskrules review · keys"
            body.border_subtitle = "esc to close"
            yield Static(self._render_help(), id="help-text")

    @staticmethod
    def _render_help() -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column()
        grid.add_column()
        queue, case, note, everywhere, rules = help_sections()
        grid.add_row(_section_block([queue, note, everywhere]), _section_block([case, rules]))
        return grid

    def action_close(self) -> None:
        self.dismiss(None)


def _section_block(sections: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold yellow", no_wrap=True)
    table.add_column()
    for n, (title, rows) in enumerate(sections):
        if n:
            table.add_row("", "")
        table.add_row("", Text(title, style="bold underline"))
        for key, description in rows:
            table.add_row(key, description)
    return table
