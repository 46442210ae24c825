"""``riskrules rules``: verdicts become rules: propose from a case (with backtests), promote (maker-checker)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .common import FormatOpt
from .render import out, err, _fail, _format, _json
from .reviewing import DEFAULT_DB, DbOpt, RulesetOpt, _store, _errors, _describe, _engine


rules_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="Rules learned from verdicts: propose (with backtests) and promote.")


@rules_app.command("propose")
def rules_propose(case_id: int, ruleset: RulesetOpt = None, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text",
                  accept: Annotated[Optional[int], typer.Option(help="save candidate N (1-based) as a shadow rule")] = None,
                  expression: Annotated[Optional[str], typer.Option(help="save this (edited) expression instead")] = None,
                  reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="who proposes (needed to save)")] = "",
                  action: Annotated[str, typer.Option(help="the rule's action")] = "review",
                  reason: Annotated[str, typer.Option(help="the rule's reason code")] = "LEARNED_PATTERN") -> None:
    """Candidate rules learnt from case CASE_ID and the labelled cases, each with its backtest."""
    _format(format)
    from ..review.backtest import backtest_candidates
    from ..review.learn import Candidate, propose
    from ..review.learned import propose_learned_rule

    store = _store(db)
    try:
        case = store.get_case(case_id)
        engine, folder = _engine(ruleset, case.ruleset)
        result = propose(engine, store, folder)
    except typer.Exit:
        raise
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    chosen = None
    if expression is not None:
        chosen = Candidate(expression, "reviewer")
        backtest_candidates(engine, store, folder, [chosen], action=action)  # checks it first
    elif accept is not None:
        if not 1 <= accept <= len(result.candidates):
            raise _fail(f"--accept is 1..{len(result.candidates)}", 2)
        chosen = result.candidates[accept - 1]
    data = result.to_dict()
    if chosen is not None:
        if chosen.diagnostics:
            raise _fail(f"{chosen.expression}: " + "; ".join(chosen.diagnostics))
        if not reviewer.strip():
            raise _fail("--reviewer is required to save a rule", 2)
        try:  # all or nothing: a failed save leaves no proposal and the learned rules untouched
            p, saved = propose_learned_rule(
                store, folder, engine.ruleset["name"], chosen.expression, reviewer, action=action, reason=reason,
                case_input=case.evidence["input"], backtest=chosen.backtest,
                provenance={"case_ids": result.case_ids, "learner": chosen.learner},
                rule_provenance={"case_ids": result.case_ids, "reviewer": reviewer, "learner": chosen.learner,
                                 "backtest": chosen.backtest})
        except _errors() as exc:
            raise _fail(_describe(exc)) from None
        data["saved"] = {"proposal_id": p.id, "rule_id": saved.rule_id, "expression": chosen.expression}
    if format == "json":
        _json(data)
        _fail_when_none_usable(result.candidates)
        return
    out.print(f"learnt from {result.positives} bad and {result.negatives} good case(s), "
              f"{result.background} background decision(s)")
    for k, c in enumerate(result.candidates, 1):
        b = c.backtest
        out.print(f"[bold]{k}.[/] {escape(c.expression)}  [dim]({c.learner})[/]")
        if c.diagnostics:
            out.print("   [red]" + escape("; ".join(c.diagnostics)) + "[/]")
        else:
            out.print(f"   hits {b.get('hits')} ({b.get('hit_rate', 0):.2%}), precision on labelled "
                      f"{b.get('precision_labelled')}, recall {b.get('recall_labelled')}, overlap with existing "
                      f"rules {b.get('overlap_existing', 0):.0%}, approval rate {b.get('approval_rate_change', 0):+.2%}")
    if "saved" in data:
        s = data["saved"]
        err.print(f"saved {s['rule_id']} (proposal {s['proposal_id']}) in shadow; "
                  f"another reviewer promotes it: riskrules rules promote {s['proposal_id']} --actor NAME")
    _fail_when_none_usable(result.candidates)


def _fail_when_none_usable(candidates) -> None:
    """Exit 1 when candidates were learnt but none could be backtested: nothing to propose."""
    if candidates and all(c.diagnostics for c in candidates):
        raise _fail(f"none of the {len(candidates)} candidate rule(s) could be backtested (see above)")


@rules_app.command("promote")
def rules_promote(proposal_id: int, actor: Annotated[str, typer.Option("--actor", help="who promotes (not the proposer)")] = "",
                  ruleset: RulesetOpt = None, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text") -> None:
    """Make a shadow rule active (maker-checker), showing its shadow-period hits."""
    _format(format)
    if not actor.strip():
        raise _fail("--actor is required", 2)
    from ..review.learned import promote

    store = _store(db)
    try:
        proposal = store.get_proposal(proposal_id)
        folder = ruleset if ruleset is not None else Path("rulesets") / proposal.ruleset
        result = promote(store, proposal_id, actor, folder)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json(result.to_dict())
    else:
        out.print(f"{result.rule_id} is active (promoted by {actor}); in shadow it fired on "
                  f"{result.shadow_hits} of {result.shadow_decisions} decisions")
    for f in result.test_failures:
        err.print(f"[yellow]test now fails:[/] {escape(f)}")
    if result.test_failures:
        err.print("update those tests' expectations: the active rule changes their decisions")
        raise typer.Exit(1)


# -- outcomes -------------------------------------------------------------------------------
