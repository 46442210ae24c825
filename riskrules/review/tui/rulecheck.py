"""Checking one rule expression with the real checker, for the rule editor.

The expression is added as a shadow rule to a scratch copy of the ruleset (the way
``riskrules rules propose --expression`` checks it) and the checker's diagnostics
are mapped back to a caret position inside the expression where the span allows.

>>> check_expression("rulesets/origination", "device.acounts >= 5")[0].code   # doctest: +SKIP
'E200'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from riskrules.review.learned import LEARNED, rule_dict, scratch_ruleset

CHECK_ID = "CANDIDATE"


@dataclass(frozen=True, slots=True)
class ExprDiagnostic:
    """One checker finding; ``offset`` is the 0-based position in the expression (None:
    the finding is not inside the expression's text)."""

    code: str
    severity: str
    message: str
    offset: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def check_expression(ruleset_dir: str | Path, expression: str, action: str | None = "review") -> list[ExprDiagnostic]:
    """The checker's findings (errors first) for ``expression`` as a rule of the ruleset."""
    from riskrules import check

    if not expression.strip():
        return [ExprDiagnostic("E114", "error", "the expression is empty", 0)]
    tmp, path = scratch_ruleset(ruleset_dir, [rule_dict(CHECK_ID, expression, action, CHECK_ID)])
    with tmp:
        lines = (path.parent / LEARNED).read_text(encoding="utf-8").splitlines()
        when_lines = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("when:")]
        own = when_lines[-1] if when_lines else None
        found = []
        for d in check(path):
            offset = None
            if Path(d.span.file).name == LEARNED and d.span.line == own:
                text = lines[own - 1]
                start = text.find(expression, text.index("when:"))
                if start >= 0:
                    offset = max(0, min(len(expression), d.span.col - 1 - start))
            elif not (Path(d.span.file).name == LEARNED and own is not None and d.span.line > own):
                continue  # findings elsewhere in the ruleset are not the editor's business
            found.append(ExprDiagnostic(d.code, d.severity, d.message, offset, d.hint))
    found.sort(key=lambda d: (not d.is_error, d.offset if d.offset is not None else 1 << 30))
    return found
