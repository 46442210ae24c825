"""Decision policies: fired rules, faults and the score -> outcome and reasons.

* ``first_match`` — the first active rule (by priority, then file order) that
  fires with an action decides; rules with points only never match.
* ``worst`` — every rule is evaluated; the most severe action wins and every
  adverse reason is kept (ranked).
* ``score`` — the blended ``decision.score`` falls into an outcome band; rules
  add points to ``rules.score`` and rules with an action act as knock-outs
  (the more severe of band and knock-out wins).

In every policy a fault in an active rule, a table or the score makes the
outcome at least as severe as the ruleset's ``on_error`` outcome: a fault
never makes a decision more lenient. At most four principal reasons are
returned for any outcome other than approve: fired rules first (by severity,
then points, then order), then the score band, then the model features that
cost the most points.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_REASONS = 4


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    source: str  # "rule:KYC-001", "band", "model:pd/age", "error:FRD-014"
    detail: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "source": self.source, "detail": self.detail}


def make_resolver(prog, not_computed):
    """A fast ``resolve(fired, errors, score, models) -> (outcome, reasons)`` for ``prog``."""
    rules = prog.all_rules
    outcomes = prog.outcomes
    policy = prog.policy
    default = prog.default_outcome
    on_error = prog.on_error
    n_active = len(prog.rules)
    bands = sorted([b for b in prog.bands if b.min is not None], key=lambda b: -b.min)
    catch_all = next((b for b in prog.bands if b.min is None), None)
    sev = {name: s for name, (s, _) in outcomes.items()}

    def resolve(fired, errors, score, models):
        outcome = default
        band = None
        acting = [rules[i] for i in fired if rules[i].action is not None]
        if policy == "first_match":
            if acting:
                outcome = acting[0].action
                acting = acting[:1]
        else:
            if policy == "score":
                if score is None:
                    outcome = on_error
                else:
                    band = next((b for b in bands if score >= b.min), catch_all)
                    if band is not None:
                        outcome = band.outcome
            for r in acting:
                if sev[r.action] > sev[outcome]:
                    outcome = r.action
        active_errors = [e for e in errors if not (isinstance(e[0], int) and e[0] >= n_active)]
        if active_errors and sev[on_error] > sev[outcome]:
            outcome = on_error
        if sev[outcome] == 0 and not outcomes[outcome][1]:
            return outcome, ()
        return outcome, _reasons(acting, band, active_errors, models, rules, not_computed)

    return resolve


def _reasons(acting, band, errors, models, rules, not_computed):
    out: list[Reason] = []
    seen: set[str] = set()

    def add(code, source, detail=""):
        if code and code not in seen and len(out) < MAX_REASONS:
            seen.add(code)
            out.append(Reason(code, source, detail))

    ranked = sorted(acting, key=lambda r: (-r.severity, -r.score, r.index))
    for r in ranked:
        if r.severity > 0:
            add(r.reason or r.id, f"rule:{r.id}", r.name)
    for where, exc in errors:
        label = rules[where].id if isinstance(where, int) else where
        add("RULE_ERROR" if isinstance(where, int) else "EVALUATION_ERROR", f"error:{label}", type(exc).__name__)
    if band is not None and band.reason:
        add(band.reason, "band")
    contribs = []
    for name, result in models.items():
        if result is not_computed or result is None:
            continue
        for c in result.contributions:
            if c.points_lost > 0 and c.reason:
                contribs.append((c.points_lost, name, c))
    contribs.sort(key=lambda x: -x[0])
    for lost, name, c in contribs:
        add(c.reason, f"model:{name}/{c.feature}", f"{lost:g} points below best")
    return tuple(out)
