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
MEMO_SIZE = 4096  # distinct combinations of fired rules remembered per loaded ruleset


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    source: str  # "rule:KYC-001", "band", "model:pd/age", "error:FRD-014"
    detail: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "source": self.source, "detail": self.detail}


def make_resolver(prog, not_computed, *, memo: bool = True):
    """A fast ``resolve(fired, errors, score, models) -> (outcome, reasons)`` for ``prog``.

    Everything that does not depend on the input — each rule's action severity, its
    Reason object and its rank among reasons — is computed here, once per load.
    """
    rules = prog.all_rules
    outcomes = prog.outcomes
    policy = prog.policy
    default = prog.default_outcome
    on_error = prog.on_error
    n_active = len(prog.rules)
    bands = sorted([b for b in prog.bands if b.min is not None], key=lambda b: -b.min)
    catch_all = next((b for b in prog.bands if b.min is None), None)
    sev = {name: s for name, (s, _) in outcomes.items()}
    plain = {name for name, (s, adverse) in outcomes.items() if s == 0 and not adverse}
    action = [r.action for r in rules]
    action_sev = [sev[r.action] if r.action is not None else -1 for r in rules]
    rank = [(-r.severity, -r.score, r.index) for r in rules]
    reason = [Reason(r.reason or r.id, f"rule:{r.id}", r.name) if r.severity > 0 else None for r in rules]
    error_source = [f"error:{r.id}" for r in rules]
    sev_on_error = sev[on_error]

    def decide(fired, errors, score, models):
        outcome = default
        band = None
        acting = [i for i in fired if action[i] is not None]
        if policy == "first_match":
            if acting:
                outcome = action[acting[0]]
                del acting[1:]
        else:
            if policy == "score":
                if score is None:
                    outcome = on_error
                else:
                    band = next((b for b in bands if score >= b.min), catch_all)
                    if band is not None:
                        outcome = band.outcome
            best = sev[outcome]
            for i in acting:
                if action_sev[i] > best:
                    outcome, best = action[i], action_sev[i]
        if errors:
            errors = [f for f in errors if not (isinstance(f.where, int) and f.where >= n_active)]
            if errors and sev_on_error > sev[outcome]:
                outcome = on_error
        if outcome in plain:
            return outcome, ()
        return outcome, _reasons(acting, band, errors, models, rank, reason, error_source, not_computed)

    if not memo or policy == "score" or prog.models:
        return decide
    # Without a score band or model contributions the result depends on the fired rules
    # alone (and faults, which skip the memo); few combinations of fired rules recur
    # again and again, so remember them. Results are immutable; a full memo starts over.
    remembered: dict = {}

    def resolve(fired, errors, score, models):
        if errors:
            return decide(fired, errors, score, models)
        key = tuple(fired)
        hit = remembered.get(key)
        if hit is None:
            if len(remembered) >= MEMO_SIZE:
                remembered.clear()
            hit = remembered[key] = decide(fired, errors, score, models)
        return hit

    return resolve


def _reasons(acting, band, errors, models, rank, reason, error_source, not_computed):
    out: list[Reason] = []
    seen: set[str] = set()
    if len(acting) > 1:
        acting = sorted(acting, key=rank.__getitem__)
    for i in acting:
        r = reason[i]
        if r is not None and r.code not in seen:
            seen.add(r.code)
            out.append(r)
            if len(out) == MAX_REASONS:
                return tuple(out)

    if not errors and band is None and not models:
        return tuple(out)

    def add(code, source, detail=""):
        if code not in seen and len(out) < MAX_REASONS:
            seen.add(code)
            out.append(Reason(code, source, detail))

    for f in errors:
        if isinstance(f.where, int):
            add("RULE_ERROR", error_source[f.where], type(f.error).__name__)
        else:
            add("EVALUATION_ERROR", f"error:{f.where}", type(f.error).__name__)
    if band is not None and band.reason:
        add(band.reason, "band")
    if len(out) < MAX_REASONS:
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
