"""Rules from verdicts in the TUI: the rule screen (candidates, live checker, save as
shadow) and the proposals screen (maker-checker promotion).

The store is filled from the first rows of the shipped origination samples and a
handful of labelled cases, so learning takes a few seconds at most. Rules are
written into a COPY of rulesets/origination under tmp_path, never into the repo.
"""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from textual.widgets import DataTable, Input

from riskrules import Engine
from riskrules.review.history import decision_frame
from riskrules.review.ingest import ingest_book
from riskrules.review.learned import read_rules
from riskrules.review.store import Store
from riskrules.review.tui import ReviewApp
from riskrules.review.tui.screens.case import CaseScreen
from riskrules.review.tui.screens.proposals import ProposalsScreen
from riskrules.review.tui.screens.queue import QueueScreen
from riskrules.review.tui.screens.rule import RuleScreen
from riskrules.review.tui.service import ReviewService

ORIGINATION = Path(__file__).parents[3] / "rulesets" / "origination"
SAMPLES = ORIGINATION / "samples" / "applications.jsonl"
NOW = datetime(2026, 3, 2, 14, 20, tzinfo=timezone.utc)
SIZE = (120, 36)
ROWS = 40
LABELS = ["bad", "good", "bad", "good", "bad", "good"]  # the first six cases; case 7 stays open


@pytest.fixture(scope="module")
def learning_base(tmp_path_factory) -> Path:
    """A ruleset copy and a store: ROWS decisions, cases on the first seven, six labelled by bob."""
    root = tmp_path_factory.mktemp("rules-base")
    shutil.copytree(ORIGINATION, root / "origination", ignore=shutil.ignore_patterns("samples"))
    book = root / "book.jsonl"
    book.write_text("".join(SAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)[:ROWS]), encoding="utf-8")
    with Store.open(f"sqlite:///{root / 'review.db'}") as store:
        ingest_book(Engine.load(root / "origination" / "ruleset.yaml"), store, book)
        log, inputs = decision_frame(store, "origination")
        ids = [store.enqueue_case(did, amount=10000.0, evidence={"input": inp}, model_score=0.1).id
               for did, inp in list(zip(log["decision_id"], inputs))[: len(LABELS) + 1]]
        for case_id, verdict in zip(ids, LABELS):
            store.claim(case_id, "bob")
            store.record_verdict(case_id, "bob", verdict)
    return root


@pytest.fixture
def learning(learning_base: Path, tmp_path: Path) -> tuple[str, Path]:
    """(store url, ruleset folder): a fresh copy of the base for each test."""
    shutil.copytree(learning_base / "origination", tmp_path / "origination")
    shutil.copy(learning_base / "review.db", tmp_path / "review.db")
    return f"sqlite:///{tmp_path / 'review.db'}", tmp_path / "origination"


def rules_app(learning, reviewer: str = "alice") -> ReviewApp:
    url, ruleset = learning
    return ReviewApp(url, reviewer, clock=lambda: NOW, refresh_seconds=None, retry_delays=(0.2, 0.5),
                     ruleset=ruleset)


def text_of(widget) -> str:
    console = Console(width=300, color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def settle_check(pilot) -> None:
    """Wait out the editor's debounce, then the checker's worker."""
    await pilot.pause(RuleScreen.DEBOUNCE + 0.1)
    for _ in range(50):  # a loaded machine may fire the timer late
        if getattr(pilot.app.screen, "_debounce", None) is None:
            break
        await pilot.pause(0.1)
    await settle(pilot)


async def open_rule_screen(pilot, case_id: int = 7) -> RuleScreen:
    await settle(pilot)
    pilot.app.open_case(case_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseScreen)
    await pilot.press("p")
    assert isinstance(pilot.app.screen, RuleScreen)
    await settle(pilot)
    return pilot.app.screen


async def set_expression(pilot, screen: RuleScreen, text: str) -> None:
    screen.query_one("#rule-expression", Input).value = text
    await settle_check(pilot)


def diagnostics_text(screen: RuleScreen) -> str:
    return text_of(screen.query_one("#rule-diagnostics"))


async def test_p_on_a_case_opens_the_rule_screen_and_candidates_load(learning):
    app = rules_app(learning)
    learnt = app.service.propose_rules
    go = threading.Event()

    def held_back(*args, **kwargs):  # learning takes seconds; hold it until the loading state is seen
        go.wait(10)
        return learnt(*args, **kwargs)

    app.service.propose_rules = held_back  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.open_case(7)
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, RuleScreen)
        table = screen.query_one("#candidates", DataTable)
        assert table.loading and "learning candidate rules" in text_of(screen.query_one("#rule-status"))
        go.set()
        await settle(pilot)
        assert not table.loading
        assert screen.result is not None and screen.result.problem is None
        assert table.row_count == len(screen.result.candidates) >= 1
        status = text_of(screen.query_one("#rule-status"))
        assert "learnt from 3 bad and 3 good case(s)" in status
        first = screen.result.candidates[0]
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[6] == first.expression and row[1].startswith(str(first.backtest["hits"]))
        # enter on a candidate puts it in the editor, which checks it
        table.focus()
        await pilot.press("enter")
        await settle_check(pilot)
        assert screen.query_one("#rule-expression", Input).value == first.expression
        assert "checks: no errors" in diagnostics_text(screen)
        await pilot.press("escape")  # back to the case
        assert isinstance(pilot.app.screen, CaseScreen)


async def test_edits_show_live_checker_diagnostics(learning):
    app = rules_app(learning)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rule_screen(pilot)
        await pilot.press("e")  # to the editor, then type: each key restarts the debounce
        await pilot.press(*("space" if ch == " " else ch for ch in "device.accounts >= "))
        await settle_check(pilot)
        assert screen.query_one("#rule-expression", Input).value == "device.accounts >= "
        text = diagnostics_text(screen)
        assert "E100" in text and "unexpected end of input" in text and "^" in text
        await set_expression(pilot, screen, "device.acounts >= 5")
        text = diagnostics_text(screen)
        assert "E200" in text and "unknown field 'device.acounts'" in text and "did you mean 'device.accounts'" in text
        assert "device.acounts >= 5\n^" in text  # the caret under the unknown name
        # a save with errors is refused and nothing is written
        before = (learning[1] / "learned.yaml").read_text()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.saved is None and (learning[1] / "learned.yaml").read_text() == before


async def test_a_valid_edit_saves_a_shadow_rule_with_provenance(learning):
    url, ruleset = learning
    app = rules_app(learning)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rule_screen(pilot)
        await set_expression(pilot, screen, "device.accounts >= 9 and contacts.count <= 2")
        assert "no errors" in diagnostics_text(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.saved is not None, text_of(screen.query_one("#rule-saved"))
        saved_text = text_of(screen.query_one("#rule-saved"))
        assert "saved LRN-001" in saved_text and "learned.yaml" in saved_text
    [rule] = read_rules(ruleset)
    assert rule["id"] == "LRN-001" and rule["status"] == "shadow"
    assert rule["when"] == "device.accounts >= 9 and contacts.count <= 2"
    prov = rule["provenance"]
    assert prov["reviewer"] == "alice" and prov["case_id"] == 7 and sorted(prov["case_ids"]) == [1, 2, 3, 4, 5, 6]
    assert prov["proposed_at"] == NOW.isoformat() and "backtest_hits" in prov and prov["learner"] == "reviewer"
    tests = yaml.safe_load((ruleset / "tests" / "learned.yaml").read_text())
    assert [c["rule"] for c in tests["cases"]] == ["LRN-001"]
    with Store.open(url) as store:
        [proposal] = store.list_proposals()
        assert proposal.status == "shadow" and proposal.proposed_by == "alice"


def _shadow_rule(learning) -> int:
    """A shadow rule proposed by alice, saved without the TUI (no learning)."""
    url, ruleset = learning
    service = ReviewService(url)
    try:
        case = service.get_case(7)
        saved = service.save_rule(case, ruleset, "device.accounts >= 9", "alice", case_ids=[1, 3, 5],
                                  learner="reviewer", backtest={"hits": 0}, now=NOW)
    finally:
        service.close()
    return saved.proposal_id


async def _proposals_screen(pilot) -> ProposalsScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)
    await pilot.press("R")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProposalsScreen)
    return pilot.app.screen


async def test_the_proposer_cannot_promote(learning):
    proposal_id = _shadow_rule(learning)
    async with rules_app(learning, "alice").run_test(size=SIZE) as pilot:
        screen = await _proposals_screen(pilot)
        table = screen.query_one("#proposals", DataTable)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[:5] == [str(proposal_id), "LRN-001", "origination", "shadow", "alice"] and row[6] == "0"
        await pilot.press("P")
        await settle(pilot)
        status = text_of(screen.query_one("#proposal-status"))
        assert "refused" in status and "another reviewer must promote it (maker-checker)" in status
    assert read_rules(learning[1])[0]["status"] == "shadow"


async def test_another_reviewer_promotes(learning):
    _shadow_rule(learning)
    async with rules_app(learning, "bob").run_test(size=SIZE) as pilot:
        screen = await _proposals_screen(pilot)
        await pilot.press("P")
        await settle(pilot)
        status = text_of(screen.query_one("#proposal-status"))
        assert "LRN-001 is active (promoted by bob)" in status and "in shadow it fired on" in status
        row = [str(c) for c in screen.query_one("#proposals", DataTable).get_row_at(0)]
        assert row[3] == "active" and row[5] == "bob"
    [rule] = read_rules(learning[1])
    assert rule["status"] == "active" and rule["provenance"]["promoted_by"] == "bob"


def _rule_missing(ruleset: Path) -> None:
    (ruleset / "learned.yaml").write_text("rules: []\n")


def _test_file_unwritable(ruleset: Path) -> None:
    (ruleset / "tests" / "learned.yaml").unlink()
    (ruleset / "tests" / "learned.yaml").mkdir()


@pytest.mark.parametrize(("break_it", "says"), [
    (_rule_missing, "is not in"),
    (_test_file_unwritable, "was not promoted (nothing was changed): IsADirectoryError"),
], ids=["rule-missing", "test-file-unwritable"])
async def test_errors_on_promotion_are_shown_not_raised_and_change_nothing(learning, break_it, says):
    _shadow_rule(learning)
    break_it(learning[1])
    learned = (learning[1] / "learned.yaml").read_bytes()
    async with rules_app(learning, "bob").run_test(size=SIZE) as pilot:
        screen = await _proposals_screen(pilot)
        await pilot.press("P")
        await settle(pilot)
        status = text_of(screen.query_one("#proposal-status"))
        assert "not promoted" in status and says in status
        await pilot.press("r")
        await settle(pilot)
        row = [str(c) for c in screen.query_one("#proposals", DataTable).get_row_at(0)]
        assert row[3] == "shadow" and row[5] == "—"
    assert (learning[1] / "learned.yaml").read_bytes() == learned


async def test_too_few_labelled_cases_still_lets_the_reviewer_write_a_rule(make_app, tmp_path):
    """The TUI seed has two cases labelled bad: nothing to learn, but the editor checks."""
    shutil.copytree(ORIGINATION, tmp_path / "origination", ignore=shutil.ignore_patterns("samples"))
    async with make_app(ruleset=tmp_path / "origination").run_test(size=SIZE) as pilot:
        screen = await open_rule_screen(pilot, 1)
        assert screen.result is not None and screen.query_one("#candidates", DataTable).row_count == 0
        assert "need at least 3 cases labelled bad" in text_of(screen.query_one("#rule-status"))
        await set_expression(pilot, screen, "device.accounts >= 5")
        assert "no errors" in diagnostics_text(screen)


def test_rule_screen_with_diagnostics_snapshot(snap_compare, learning):
    async def run_before(pilot) -> None:
        screen = await open_rule_screen(pilot)
        screen.query_one("#rule-expression", Input).cursor_blink = False
        await set_expression(pilot, screen, "device.acounts >= 5 and contacts.cnt <= 2")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(rules_app(learning), terminal_size=SIZE, run_before=run_before)
