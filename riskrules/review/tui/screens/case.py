"""One case: evidence, similar past cases, linked people, history, and the verdict keys.

The note the reviewer is writing lives in the :class:`NoteEditor` and in
``ReviewApp.drafts``; it is cleared only after the store confirms the verdict or
note that carried it, so an outage (or leaving the screen) never loses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane, TextArea
from textual.worker import get_current_worker

from riskrules.review.store import ClaimRequired, StoreError

from ..evidence import read_evidence
from ..retry import Backoff, RetryingScreen
from ..service import CaseView, is_outage
from ..widgets.case_links import CaseLinksTable
from ..widgets.case_summary import CaseSummary
from ..widgets.contributions import ContributionChart
from ..widgets.db_banner import DatabaseBanner
from ..widgets.feature_table import FeatureTable
from ..widgets.history_log import HistoryLog
from ..widgets.input_tree import InputTree
from ..widgets.links_table import LinksTable
from ..widgets.note_editor import NoteEditor
from ..widgets.rules_panel import RulesPanel
from ..widgets.similar_table import SimilarTable

if TYPE_CHECKING:
    from ..app import ReviewApp

PANES = ("overview", "features", "input", "related", "history")


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """A write the reviewer asked for that has not been confirmed yet."""

    kind: str  # "verdict" or "note"
    verdict: str | None
    note: str
    attempts: int = 0


class CaseScreen(RetryingScreen, Screen):
    BINDINGS = [
        Binding("b", "verdict('bad')", "Bad"),
        Binding("g", "verdict('good')", "Good"),
        Binding("e", "verdict('escalate')", "Escalate"),
        Binding("s", "verdict('skip')", "Skip"),
        Binding("n", "write_note", "Note", show=False),
        Binding("c", "claim", "Claim"),
        Binding("u", "release", "Release", show=False),
        Binding("r", "retry", "Retry/refresh", show=False),
        Binding("p", "propose_rule", "Propose rule", show=False),
        Binding("escape", "back", "Back"),
        Binding("1", "pane('overview')", "Overview", show=False),
        Binding("2", "pane('features')", "Features", show=False),
        Binding("3", "pane('input')", "Input", show=False),
        Binding("4", "pane('related')", "Similar", show=False),
        Binding("5", "pane('history')", "History", show=False),
    ]

    class CaseLoaded(Message):
        def __init__(self, view: CaseView) -> None:
            super().__init__()
            self.view = view

    class WriteDone(Message):
        def __init__(self, pending: PendingWrite | None, action: str) -> None:
            super().__init__()
            self.pending, self.action = pending, action

    class StoreFailed(Message):
        def __init__(self, error: StoreError, action: str, pending: PendingWrite | None = None) -> None:
            super().__init__()
            self.error, self.action, self.pending = error, action, pending

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.view: CaseView | None = None
        self.pending: PendingWrite | None = None
        self._busy = False

    @property
    def review_app(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield DatabaseBanner(id="db-banner")
        yield CaseSummary(id="case-summary")
        with TabbedContent(initial="overview", id="case-tabs"):
            with TabPane("Overview", id="overview"):
                # one scroller for both columns: at 80 columns they stack
                with VerticalScroll(id="overview-scroll"), Horizontal(id="overview-columns"):
                    with Vertical(id="models-column"):
                        yield ContributionChart(id="contributions")
                    with Vertical(id="rules-column"):
                        yield RulesPanel(id="rules")
            with TabPane("Features", id="features"):
                yield FeatureTable(id="feature-table")
            with TabPane("Input", id="input"):
                yield InputTree(id="input-tree")
            with TabPane("Similar · Links", id="related"):
                yield SimilarTable(id="similar-table")
                yield LinksTable(id="links-table")
            with TabPane("History", id="history"):
                with VerticalScroll():
                    yield HistoryLog(id="history-log")
        yield NoteEditor(id="note", text=self.review_app.drafts.get(self.case_id, ""))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._backoff = Backoff(self.review_app.retry_delays)
        self.query_one("#similar-table").border_title = "Similar reviewed cases"
        self.query_one("#links-table").border_title = "Linked people"
        self.query_one("#note").border_title = "Note"
        self.query_one("#note").border_subtitle = "n write · esc done · ctrl+s save now · sent with the verdict"
        self.query_one(CaseSummary).show_loading(self.case_id)
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self) -> None:
        self._cancel_retry()
        self._load(self.case_id)

    @work(thread=True, exclusive=True, group="case-load")
    def _load(self, case_id: int) -> None:
        try:
            view = self.review_app.service.case_view(case_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(error, "load"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.CaseLoaded(view))

    @on(CaseLoaded)
    def _show_case(self, message: CaseLoaded) -> None:
        view = self.view = message.view
        evidence = read_evidence(view.case.evidence)
        self._backoff.reset()
        if self.pending is None:
            self.query_one(DatabaseBanner).clear()
        now, reviewer = self.review_app.clock(), self.review_app.reviewer
        self.query_one(CaseSummary).show_case(view, evidence, now=now, reviewer=reviewer)
        self.query_one(ContributionChart).show_models(evidence.models)
        self.query_one(RulesPanel).show_rules(evidence)
        self.query_one(FeatureTable).show_features(evidence.features)
        self.query_one(InputTree).show_input(evidence.input)
        self.query_one(SimilarTable).show_similar(view.similar)
        self.query_one(LinksTable).show_links(evidence.links, view.linked)
        self.query_one(HistoryLog).show_history(view)
        self.query_one("#similar-table").border_subtitle = _tally(view)

    # -- claim, verdict, note ------------------------------------------------------

    def _holds_claim(self) -> bool:
        case = self.view.case if self.view else None
        return case is not None and case.status == "claimed" and case.claimed_by == self.review_app.reviewer

    def action_verdict(self, verdict: str) -> None:
        if self._busy:
            return
        if not self._holds_claim():
            self.notify("Claim the case first (c).", severity="warning")
            return
        self._submit(PendingWrite("verdict", verdict, self.query_one(NoteEditor).text.strip()))

    @on(NoteEditor.SaveRequested)
    def _save_note(self, message: NoteEditor.SaveRequested) -> None:
        if not self._busy:
            self._submit(PendingWrite("note", None, message.text.strip()))

    def _submit(self, pending: PendingWrite) -> None:
        self._busy = True
        self.pending = pending
        self._write(pending)

    @work(thread=True, group="case-write")
    def _write(self, pending: PendingWrite) -> None:
        service, reviewer = self.review_app.service, self.review_app.reviewer
        try:
            if pending.kind == "verdict":
                service.record_verdict(self.case_id, reviewer, cast(str, pending.verdict), pending.note or None)
            else:
                service.add_note(self.case_id, reviewer, pending.note)
        except ClaimRequired as error:
            # a retry after an outage: the first attempt may have committed after all
            if pending.attempts and self._already_recorded(pending):
                self.post_message(self.WriteDone(pending, pending.kind))
            else:
                self.post_message(self.StoreFailed(error, pending.kind, pending))
            return
        except StoreError as error:
            self.post_message(self.StoreFailed(error, pending.kind, pending))
            return
        self.post_message(self.WriteDone(pending, pending.kind))

    def _already_recorded(self, pending: PendingWrite) -> bool:
        try:
            history = self.review_app.service.case_view(self.case_id).history
        except StoreError:
            return False
        latest = history.verdicts[-1] if history.verdicts else None
        return latest is not None and latest.reviewer == self.review_app.reviewer and latest.verdict == pending.verdict

    def action_claim(self) -> None:
        if not self._busy:
            self._busy = True
            self._claim_or_release("claim")

    def action_release(self) -> None:
        if not self._busy:
            self._busy = True
            self._claim_or_release("release")

    @work(thread=True, group="case-write")
    def _claim_or_release(self, action: str) -> None:
        service, reviewer = self.review_app.service, self.review_app.reviewer
        try:
            if action == "claim":
                service.claim(self.case_id, reviewer)
            else:
                service.release(self.case_id, reviewer)
        except StoreError as error:
            self.post_message(self.StoreFailed(error, action))
            return
        self.post_message(self.WriteDone(None, action))

    @on(WriteDone)
    def _write_done(self, message: WriteDone) -> None:
        self._busy = False
        self.pending = None
        self.query_one(DatabaseBanner).clear()
        pending = message.pending
        if pending is not None:
            self._clear_note()
        if message.action == "verdict" and pending is not None:
            self.notify(f"Case {self.case_id}: {pending.verdict}" + (" with note" if pending.note else "") + ".")
            self.dismiss(pending.verdict)
            return
        done = {"note": "Note saved.", "claim": "Claimed.", "release": "Released."}[message.action]
        self.notify(f"Case {self.case_id}: {done}")
        self.reload()

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        if message.action != "load":
            self._busy = False
        if not is_outage(message.error):
            self.pending = None
            self.notify(str(message.error), title=f"Could not {message.action}", severity="error")
            if message.action != "load":
                self.reload()
            return
        if message.pending is not None:
            # keep it for r; the note stays in the editor
            self.pending = PendingWrite(
                message.pending.kind, message.pending.verdict, message.pending.note, message.pending.attempts + 1
            )
            what = f"verdict {message.pending.verdict}" if message.pending.kind == "verdict" else "note"
            kept = f"{what} not saved, your note is kept"
            self.query_one(DatabaseBanner).show_problem(message.error, kept=kept)
            return
        self._show_outage(message.error, retry=message.action == "load")

    def action_retry(self) -> None:
        if self.pending is not None and not self._busy:
            # the reviewer may have edited the note meanwhile: send what is there now
            pending = self.pending
            note = self.query_one(NoteEditor).text.strip() or pending.note
            self._busy = True
            self._write(PendingWrite(pending.kind, pending.verdict, note, pending.attempts))
        elif self.pending is None:
            self.reload()

    # -- note editor ---------------------------------------------------------------

    def action_write_note(self) -> None:
        self.query_one(NoteEditor).focus()

    @on(NoteEditor.Left)
    def _left_editor(self) -> None:
        # away from the editor so the single-key verdicts work again; the text stays
        self.set_focus(None)

    @on(TextArea.Changed, "#note")
    def _draft_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text:
            self.review_app.drafts[self.case_id] = text
        else:
            self.review_app.drafts.pop(self.case_id, None)

    def _clear_note(self) -> None:
        self.query_one(NoteEditor).text = ""
        self.review_app.drafts.pop(self.case_id, None)

    # -- navigation ----------------------------------------------------------------

    def action_pane(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane

    def action_back(self) -> None:
        self.dismiss(None)

    def action_propose_rule(self) -> None:
        self.review_app.open_rules(self.case_id)

    @on(CaseLinksTable.CaseChosen)
    def _open_other(self, message: CaseLinksTable.CaseChosen) -> None:
        self.review_app.open_case(message.case_id)


def _tally(view: CaseView) -> str:
    counts: dict[str, int] = {}
    for s in view.similar:
        counts[s.verdict] = counts.get(s.verdict, 0) + 1
    return " · ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
