"""The case screen through Pilot: evidence panes, claim, verdict with note, release, help."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import DataTable, TabbedContent
from tui_seed import REVIEWER, SIZE, SMALL

from riskrules.review.store import Store
from riskrules.review.tui.screens.case import CaseScreen
from riskrules.review.tui.screens.help import HelpScreen
from riskrules.review.tui.screens.queue import QueueScreen
from riskrules.review.tui.widgets.case_summary import CaseSummary
from riskrules.review.tui.widgets.contributions import ContributionChart
from riskrules.review.tui.widgets.input_tree import InputTree
from riskrules.review.tui.widgets.links_table import LinksTable
from riskrules.review.tui.widgets.note_editor import NoteEditor
from riskrules.review.tui.widgets.rules_panel import RulesPanel
from riskrules.review.tui.widgets.similar_table import SimilarTable


def text_of(widget) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


def column(table: DataTable, key: str) -> list[str]:
    return [str(table.get_cell(row, key)) for row in table.rows]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def open_case(pilot, settle, case_id: int) -> CaseScreen:
    pilot.app.open_case(case_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseScreen)
    return pilot.app.screen


async def test_case_screen_shows_the_evidence(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, 1)
        summary = text_of(screen.query_one(CaseSummary))
        assert "Case 1" in summary and "origination 1.0.0" in summary and "48,000" in summary
        chart = text_of(screen.query_one(ContributionChart))
        assert "PD 21.0%" in chart and "platforms_90d" in chart and "MANY_PLATFORMS" in chart
        rules = text_of(screen.query_one(RulesPanel))
        assert "MPL-006" in rules and "DEV-005" in rules and "Nearly fired (2)" in rules
        tree = screen.query_one(InputTree)
        assert [str(node.label) for node in tree.root.children] == ["application", "applicant", "credit", "device"]
        similar = screen.query_one(SimilarTable)
        # nearest first: 7 (same platforms, dti within .02), then 4, then the "good" 6
        assert column(similar, "case") == ["7", "4", "6"]
        assert column(similar, "verdict") == ["bad", "bad", "good"]
        links = screen.query_one(LinksTable)
        assert column(links, "kind") == ["device", "device", "phone", "contact"]
        assert column(links, "case") == ["4", "7", "4", "—"]
        assert column(links, "verdict")[:2] == ["bad", "bad"]
        assert "139****0004" in column(links, "value")


async def test_panes_switch_with_number_keys(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, 1)
        for key, pane in zip("23451", ("features", "input", "related", "history", "overview"), strict=True):
            await pilot.press(key)
            assert screen.query_one(TabbedContent).active == pane


async def test_verdict_needs_a_claim(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(pilot, settle, 2)
        await pilot.press("b")
        await settle(pilot)
        assert any("Claim the case first" in n.message for n in app._notifications)
        with Store.open(db_url) as store:
            assert store.case_history(2).verdicts == []


async def test_claim_then_verdict_with_note(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, 2)
        await pilot.press("c")
        await settle(pilot)
        assert "@you" in text_of(screen.query_one(CaseSummary))
        await pilot.press("n")
        assert isinstance(app.focused, NoteEditor)
        await type_text(pilot, "income docs forged")
        await pilot.press("escape")  # leaves the editor, keeps the text
        assert not isinstance(app.focused, NoteEditor)
        assert screen.query_one(NoteEditor).text == "income docs forged"
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        with Store.open(db_url) as store:
            history = store.case_history(2)
        assert [(v.verdict, v.reviewer) for v in history.verdicts] == [("bad", REVIEWER)]
        assert [n.text for n in history.notes] == ["income docs forged"]
        assert history.case.status == "decided"
        assert app.drafts == {}


async def test_skip_and_escalate_send_the_case_to_its_queues(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for case_id, key, status in ((2, "s", "open"), (3, "e", "escalated")):
            await open_case(pilot, settle, case_id)
            await pilot.press("c")
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            with Store.open(db_url) as store:
                assert store.get_case(case_id).status == status


async def test_save_a_note_without_a_verdict(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, 5)
        await pilot.press("n")
        await type_text(pilot, "called applicant")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one(NoteEditor).text == ""
        with Store.open(db_url) as store:
            assert [n.text for n in store.case_history(5).notes] == ["called applicant"]


async def test_claim_and_release_on_the_case_screen(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, 3)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "open" in text_of(screen.query_one(CaseSummary))
        with Store.open(db_url) as store:
            case = store.get_case(3)
            assert (case.status, case.claimed_by) == ("open", None)
            assert len(store.case_history(3).claims) == 1


async def test_draft_note_survives_leaving_the_case(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(pilot, settle, 5)
        await pilot.press("n")
        await type_text(pilot, "half a thought")
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        screen = await open_case(pilot, settle, 5)
        assert screen.query_one(NoteEditor).text == "half a thought"


async def test_opening_a_similar_case_from_the_table(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(pilot, settle, 1)
        await pilot.press("4")
        app.screen.query_one(SimilarTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 7


async def test_help_screen_lists_keys_and_closes(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = text_of(app.screen.query_one("#help-text"))
        for words in ("Next case", "Escalate", "Save note", "Quit"):
            assert words in body
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_everything_fits_at_80_by_24(make_app, settle):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#case-table")
        assert table.region.height >= 10 and table.region.right <= 80
        screen = await open_case(pilot, settle, 1)
        assert screen.has_class("-narrow")
        for selector in ("#case-summary", "#case-tabs", "#note", "Footer"):
            region = screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= 24 and region.right <= 80, selector
        assert screen.query_one("#case-tabs").region.height >= 10
        assert screen.query_one("#note").region.height >= 3
        # models and rules stack; what does not fit scrolls
        overview = screen.query_one("#overview-scroll")
        assert overview.max_scroll_y > 0
        overview.scroll_end(animate=False)
        await pilot.pause()
        assert screen.query_one(RulesPanel).region.bottom <= screen.query_one("#note").region.y


async def test_a_case_with_sparse_evidence_renders(make_app, settle, db_url):
    with Store.open(db_url) as store:
        decision = store.log_decision(ruleset="origination", version="1.0.0", digest="sha256:0", outcome="review")
        case = store.enqueue_case(decision.id, amount=500.0, evidence={"fired": ["APP-001"], "models": "oops"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, settle, case.id)
        assert "No model output" in text_of(screen.query_one(ContributionChart))
        assert "APP-001" in text_of(screen.query_one(RulesPanel))
        assert "no shared device" in column(screen.query_one(LinksTable), "kind")[0]


async def test_every_store_call_runs_off_the_ui_thread(make_app, settle, monkeypatch):
    import threading

    ui_thread = threading.main_thread()
    threads: list[str] = []
    for name in ("open", "list_cases", "counts_by_status", "case_history", "labelled_cases", "get_case",
                 "claim", "claim_next", "release", "record_verdict", "add_note"):
        original = getattr(Store, name)
        is_classmethod = name == "open"

        def spy(*args, _original=original, _name=name, **kwargs):
            threads.append("ui" if threading.current_thread() is ui_thread else "worker")
            return _original(*args, **kwargs)

        monkeypatch.setattr(Store, name, classmethod(lambda cls, *a, _spy=spy, **k: _spy(*a, **k))
                            if is_classmethod else spy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")  # claim next and open it
        await settle(pilot)
        await pilot.press("n", "o", "k", "escape", "g")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert threads and set(threads) == {"worker"}
