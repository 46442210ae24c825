"""Two lines at the top of the case screen: what the case is and who holds it."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from .. import format as fmt
from ..evidence import Evidence
from ..service import CaseView


class CaseSummary(Static):
    def show_loading(self, case_id: int) -> None:
        self.update(Text(f"Case {case_id} · loading…", style="dim"))

    def show_case(self, view: CaseView, evidence: Evidence, *, now: datetime, reviewer: str) -> None:
        case, decision = view.case, view.history.decision
        ruleset = evidence.ruleset
        version = ruleset.get("version") or decision.version
        first = Text.assemble(
            (f"Case {case.id}", "bold"), "  ",
            fmt.status(case.status, case.claimed_by, reviewer, stale=case.claim_expired(now)), "  ",
            (f"{ruleset.get('name') or case.ruleset} {version}", "bold cyan"), "  ",
            ("outcome ", "dim"), (evidence.outcome or decision.outcome, "bold yellow"), "  ",
            ("amount ", "dim"), fmt.money(case.amount), "  ",
            ("score ", "dim"), fmt.score(case.model_score),
        )
        if case.status in ("decided",):
            verdicts = view.history.verdicts
            sla_text = Text.assemble(("verdict ", "dim"), fmt.verdict(verdicts[-1].verdict if verdicts else None))
        else:
            sla_text = Text.assemble(("SLA ", "dim"), fmt.sla(case.sla_due_at, now))
        digest = str(ruleset.get("digest") or decision.digest)
        second = Text.assemble(
            ("priority ", "dim"), f"{case.priority:,.0f}", "  ", ("age ", "dim"), fmt.age(case.created_at, now), "  ", sla_text, "  ",
            ("decision ", "dim"), decision.id[:20], "  ", ("digest ", "dim"), digest[:14],
        )
        self.update(Text("\n").join([first, second]))
