"""The review TUI application and its entry point.

>>> app = ReviewApp("sqlite:///review.db", "alice")   # doctest: +SKIP
>>> run_tui("sqlite:///review.db", "alice")           # doctest: +SKIP
>>> run_tui("sqlite:///review.db", "alice", ruleset="rulesets/origination")  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from riskrules.review.store.store import DEFAULT_PATH

from .retry import DEFAULT_DELAYS
from .screens.case import CaseScreen
from .screens.help import HelpScreen
from .screens.proposals import ProposalsScreen
from .screens.queue import QueueScreen
from .screens.rule import RuleScreen
from .service import ReviewService

STYLES = Path(__file__).parent / "styles"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ReviewApp(App[None]):
    """Work the review queue as ``reviewer`` against the store at ``store_url``.

    ``clock`` gives "now" for ages and SLAs (tests freeze it), ``refresh_seconds``
    how often the queue reloads by itself (None: never), ``retry_delays`` the waits
    between attempts while the database is away. ``ruleset`` is the ruleset folder (or
    file) learned rules are written to and promoted in; without it a case's ruleset
    ``NAME`` means ``rulesets/NAME`` (as ``riskrules rules propose`` finds it).
    """

    TITLE = "riskrules review"
    ENABLE_COMMAND_PALETTE = False
    CSS_PATH = [STYLES / "app.tcss", STYLES / "queue.tcss", STYLES / "case.tcss", STYLES / "help.tcss",
                STYLES / "rules.tcss"]
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        store_url: str,
        reviewer: str,
        *,
        clock: Callable[[], datetime] = _utcnow,
        refresh_seconds: float | None = 30.0,
        retry_delays: Sequence[float] = DEFAULT_DELAYS,
        ruleset: str | Path | None = None,
        claim_lease: timedelta | None = None,
    ) -> None:
        super().__init__()
        self.store_url = store_url
        self.reviewer = reviewer
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.retry_delays = tuple(retry_delays)
        self.ruleset = Path(ruleset) if ruleset is not None else None
        self.service = ReviewService(store_url, clock=clock, claim_lease=claim_lease)
        # note drafts by case id: they outlive the case screen and any outage
        self.drafts: dict[int, str] = {}
        self.sub_title = f"reviewer {reviewer}"

    def on_mount(self) -> None:
        self.push_screen(QueueScreen())

    def open_case(self, case_id: int) -> None:
        """Show one case on top of whatever is showing."""
        self.push_screen(CaseScreen(case_id))

    def ruleset_dir(self, name: str) -> Path:
        """Where the rules of ruleset ``name`` live: ``--ruleset`` or ``rulesets/NAME``."""
        return self.ruleset if self.ruleset is not None else Path("rulesets") / name

    def open_rules(self, case_id: int) -> None:
        """Propose a rule learned from one case."""
        self.push_screen(RuleScreen(case_id))

    def open_proposals(self) -> None:
        """List rule proposals; promote shadow rules."""
        self.push_screen(ProposalsScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def on_unmount(self) -> None:
        self.service.close()


def default_reviewer() -> str:
    return os.environ.get("RISKRULES_REVIEWER") or getpass.getuser()


def run_tui(db_url: str | None = None, reviewer: str | None = None, *, ruleset: str | Path | None = None,
            claim_lease: timedelta | None = None) -> int:
    """Run the review TUI until the reviewer quits; returns the process exit code.

    ``db_url`` defaults to the store's default file, ``reviewer`` to
    ``$RISKRULES_REVIEWER`` or the login name, ``ruleset`` (the folder learned rules
    go to) to ``rulesets/<the case's ruleset>``, ``claim_lease`` (how long this
    reviewer's claims last) to the store's 30 minutes.
    """
    app = ReviewApp(db_url or DEFAULT_PATH, reviewer or default_reviewer(), ruleset=ruleset, claim_lease=claim_lease)
    app.run()
    return app.return_code or 0
