"""Propose a rule from one case: learned candidates, a checked editor, save as shadow.

Learning (``learn.propose``: decision tree and RIPPER, each candidate checked and
backtested over the decision log) runs in a worker and can take seconds; the table
shows a loading state meanwhile. Choosing a candidate puts its expression in the
editor; every edit is checked with the real checker (debounced, in a worker) and the
findings are shown with a caret under the expression. ``ctrl+s`` saves the rule the
way ``riskrules rules propose`` does: a store proposal and a shadow rule with its
provenance and a generated test in the ruleset's learned.yaml.
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
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from ..rulecheck import ExprDiagnostic, check_expression
from ..service import RuleCandidates, SavedRule

if TYPE_CHECKING:
    from ..app import ReviewApp


def describe_error(error: BaseException) -> str:
    """One line for an error from the learner, the checker or the store."""
    from riskrules import RulesetError

    if isinstance(error, RulesetError):
        return "the ruleset does not check: " + "; ".join(
            f"{d.code}: {d.message}" for d in error.diagnostics if d.is_error)
    text = str(error) or type(error).__name__
    return text if not isinstance(error, (OSError, KeyError, TypeError, AttributeError)) \
        else f"{type(error).__name__}: {text}"


def render_diagnostics(expression: str, diagnostics: list[ExprDiagnostic] | None) -> Text:
    """The checker's findings under the expression: caret, code, message, hint."""
    if diagnostics is None:
        return Text("checking…", style="dim")
    if not diagnostics:
        return Text("✓ checks: no errors", style="green")
    out = Text()
    for n, d in enumerate(diagnostics):
        if n:
            out.append("\n")
        style = "bold red" if d.is_error else "bold yellow"
        if d.offset is not None:
            out.append(expression + "\n", style="dim")
            out.append(" " * d.offset + "^\n", style=style)
        out.append(f"{d.code} ", style=style)
        out.append(d.severity, style=style)
        where = f" at col {d.offset + 1}" if d.offset is not None else ""
        out.append(f"{where}: {d.message}")
        if d.hint:
            out.append(f" ({d.hint})", style="italic")
    return out


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


class RuleScreen(Screen):
    """Candidate rules for one case, an editor with live diagnostics, save as shadow."""

    DEBOUNCE = 0.3  # seconds of quiet typing before the expression is checked

    BINDINGS = [
        Binding("ctrl+s", "save", "Save as shadow", priority=True),
        Binding("e", "edit", "Edit"),
        Binding("escape", "back", "Back"),
    ]

    class CandidatesLoaded(Message):
        def __init__(self, result: RuleCandidates) -> None:
            super().__init__()
            self.result = result

    class LearnFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Checked(Message):
        def __init__(self, expression: str, diagnostics: list[ExprDiagnostic] | None, error: str | None = None) -> None:
            super().__init__()
            self.expression, self.diagnostics, self.error = expression, diagnostics, error

    class SaveDone(Message):
        def __init__(self, saved: SavedRule | None, error: str | None = None) -> None:
            super().__init__()
            self.saved, self.error = saved, error

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.result: RuleCandidates | None = None
        self.diagnostics: list[ExprDiagnostic] | None = None
        self.checked_expression: str | None = None
        self.saved: SavedRule | None = None
        self._debounce: Timer | None = None
        self._saving = False

    @property
    def review_app(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static(f"Case {self.case_id} · learning candidate rules…", id="rule-status")
        yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="a riskrules expression, e.g. device.accounts >= 5", id="rule-expression")
        yield Static(Text("type or choose a candidate (enter)", style="dim"), id="rule-diagnostics")
        yield Static("", id="rule-saved")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#candidates", DataTable)
        table.border_title = "Candidate conditions"
        table.border_subtitle = "enter: edit this one"
        for key, label in (("n", "#"), ("hits", "Hits"), ("precision", "Precision"), ("overlap", "Overlap"),
                           ("approval", "Δ approval"), ("learner", "Learner"), ("expression", "Expression")):
            table.add_column(label, key=key)
        table.loading = True
        editor = self.query_one("#rule-expression", Input)
        editor.border_title = "Rule expression"
        editor.border_subtitle = "ctrl+s save as shadow · esc back"
        self.query_one("#rule-diagnostics").border_title = "Checker"
        self._learn()

    # -- learning ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="rule-learn")
    def _learn(self) -> None:
        app = self.review_app
        try:
            result = app.service.propose_rules(self.case_id, app.ruleset_dir)
        except Exception as error:  # noqa: BLE001 - shown on the screen, never a traceback
            self.post_message(self.LearnFailed(describe_error(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.CandidatesLoaded(result))

    @on(CandidatesLoaded)
    def _show_candidates(self, message: CandidatesLoaded) -> None:
        result = self.result = message.result
        table = self.query_one("#candidates", DataTable)
        table.loading = False
        table.clear()
        for n, c in enumerate(result.candidates, 1):
            b = c.backtest or {}
            table.add_row(
                str(n),
                "—" if c.diagnostics else f"{b.get('hits', 0)} ({b.get('hit_rate', 0):.1%})",
                "—" if c.diagnostics else _pct(b.get("precision_labelled")),
                "—" if c.diagnostics else _pct(b.get("overlap_existing", 0)),
                "does not check" if c.diagnostics else f"{b.get('approval_rate_change', 0):+.1%}",
                c.learner, c.expression,
                key=str(n),
            )
        status = self.query_one("#rule-status", Static)
        if result.problem:
            status.update(Text.assemble((f"Case {self.case_id} · ", "bold"), (result.problem, "yellow"),
                                        " — write an expression below"))
            self.query_one("#rule-expression", Input).focus()
        else:
            status.update(Text.assemble(
                (f"Case {self.case_id} · ", "bold"),
                f"learnt from {result.positives} bad and {result.negatives} good case(s), "
                f"{result.background} background decision(s) · ruleset {result.case.ruleset}"))
            table.focus()

    @on(LearnFailed)
    def _learn_failed(self, message: LearnFailed) -> None:
        self.query_one("#candidates", DataTable).loading = False
        self.query_one("#rule-status", Static).update(
            Text.assemble((f"Case {self.case_id} · ", "bold"), ("cannot learn: ", "bold red"), message.error))

    @on(DataTable.RowSelected, "#candidates")
    def _choose(self, message: DataTable.RowSelected) -> None:
        if self.result is None or message.row_key.value is None:
            return
        candidate = self.result.candidates[int(message.row_key.value) - 1]
        editor = self.query_one("#rule-expression", Input)
        editor.value = candidate.expression
        editor.cursor_position = len(candidate.expression)
        editor.focus()

    def action_edit(self) -> None:
        self.query_one("#rule-expression", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- live checking -------------------------------------------------------------

    @on(Input.Changed, "#rule-expression")
    def _edited(self, message: Input.Changed) -> None:
        self.diagnostics = None
        self.checked_expression = None
        self.query_one("#rule-diagnostics", Static).update(render_diagnostics(message.value, None))
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(self.DEBOUNCE, self._check_now)

    def _check_now(self) -> None:
        self._debounce = None
        self._check(self.query_one("#rule-expression", Input).value)

    def _folder_for_check(self):
        if self.result is not None:
            return self.result.ruleset_dir
        return None

    @work(thread=True, exclusive=True, group="rule-check")
    def _check(self, expression: str) -> None:
        folder = self._folder_for_check()
        try:
            if folder is None:
                app = self.review_app
                folder = app.ruleset_dir(app.service.get_case(self.case_id).ruleset)
            diagnostics = check_expression(folder, expression)
        except Exception as error:  # noqa: BLE001 - shown, never raised
            self.post_message(self.Checked(expression, None, describe_error(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Checked(expression, diagnostics))

    @on(Checked)
    def _show_check(self, message: Checked) -> None:
        if message.expression != self.query_one("#rule-expression", Input).value:
            return  # the reviewer typed on; a newer check is coming
        box = self.query_one("#rule-diagnostics", Static)
        if message.error is not None:
            box.update(Text(f"cannot check: {message.error}", style="red"))
            return
        self.diagnostics, self.checked_expression = message.diagnostics, message.expression
        box.update(render_diagnostics(message.expression, message.diagnostics))

    # -- saving --------------------------------------------------------------------

    def action_save(self) -> None:
        expression = self.query_one("#rule-expression", Input).value.strip()
        if self._saving:
            return
        if not expression:
            self.notify("Write or choose an expression first.", severity="warning")
            return
        if self.result is None:
            self.notify("Still learning; save when the candidates are in.", severity="warning")
            return
        if self.checked_expression == expression and any(d.is_error for d in self.diagnostics or []):
            self.notify("The expression does not check; fix the errors first.", severity="error")
            return
        chosen = next((c for c in self.result.candidates if c.expression == expression and not c.diagnostics), None)
        self._saving = True
        self.query_one("#rule-saved", Static).update(Text("saving…", style="dim"))
        self._save(expression, chosen)

    @work(thread=True, group="rule-save")
    def _save(self, expression: str, chosen: Any) -> None:
        app, result = self.review_app, cast(RuleCandidates, self.result)
        try:
            saved = app.service.save_rule(
                result.case, result.ruleset_dir, expression, app.reviewer, case_ids=result.case_ids,
                learner=chosen.learner if chosen is not None else "reviewer",
                backtest=chosen.backtest if chosen is not None else None, now=app.clock(),
            )
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            self.post_message(self.SaveDone(None, describe_error(error)))
            return
        self.post_message(self.SaveDone(saved))

    @on(SaveDone)
    def _saved(self, message: SaveDone) -> None:
        self._saving = False
        box = self.query_one("#rule-saved", Static)
        if message.saved is None:
            box.update(Text.assemble(("not saved: ", "bold red"), message.error or ""))
            self.notify(f"Not saved: {message.error}", severity="error")
            return
        s = self.saved = message.saved
        box.update(Text.from_markup(
            f"[bold green]saved {escape(s.rule_id)}[/] (proposal {s.proposal_id}) as [bold]shadow[/] in "
            f"{escape(str(s.learned_file))}; test in {escape(str(s.test_file))}. "
            f"Another reviewer promotes it from the proposals list (R in the queue)."))
        self.notify(f"Saved {s.rule_id} (proposal {s.proposal_id}) in shadow.")
