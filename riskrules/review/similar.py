"""Cases like this one: nearest neighbours over the values a rule can test.

A reviewer who has just called a case ``bad`` labels the open cases most like it
next, so that a handful of verdicts describe one pattern well enough to learn a rule.
Distances are Euclidean over numeric and bool columns, each scaled by its spread
among the cases compared and weighted by how unusual the target case is on it
(its squared z-score, capped): a case stands out on a few values, and its
look-alikes are the cases that share those, not the ones close on everything else.
Cases that share an identifier with the target (a device, an emergency contact, an
employer: ``LINK_FIELDS``) come first, as an investigator following links would
take them: rings and bursts show in shared values before they show in statistics.

Not the same question as ``tui/similar.py`` (which past *labelled* cases look like
this one, Gower's distance over the evidence snapshot): there every feature counts
evenly and text and missing values count too; here the target's unusual values
dominate on purpose. One distance for both would make one of them worse.

>>> for case, distance in cases_to_label_next(engine, store, 17, k=5): ...   # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from .frames import columns, feature_frame, frame_of, numeric_matrix
from .store import Case, Store

LINK_FIELDS = ("device.id", "contacts.emergency_phone", "applicant.employer")


def cases_to_label_next(engine, store: Store, case_id: int, *, k: int = 10, status: str | None = "open",
                        pool: int = 5_000, link_fields: tuple[str, ...] = LINK_FIELDS) -> list[tuple[Case, float]]:
    """The ``k`` cases (of ``status``, open by default) to label after case ``case_id``:
    those sharing an identifier with it first, then the nearest, nearest first."""
    target = store.get_case(case_id)
    others = [c for c in store.list_cases(status=status, ruleset=target.ruleset, limit=pool) if c.id != case_id]
    if not others:
        return []
    cols = [c for c in columns(engine.program) if c.kind in ("int", "number", "bool")]
    records = [target.evidence["input"]] + [c.evidence["input"] for c in others]
    x, _ = numeric_matrix(feature_frame(engine, frame_of(records), cols=cols), cols)
    x = np.where(np.isnan(x), -1.0, x)
    spread = x.std(axis=0)
    spread[spread == 0] = 1.0
    z = (x - np.median(x, axis=0)) / spread
    weight = np.minimum(z[0] ** 2, 25.0) + 0.01
    distance = np.sqrt((weight * (z[1:] - z[0]) ** 2).sum(axis=1))
    mine = _links(target.evidence["input"], link_fields)
    shared = np.array([len(mine & _links(c.evidence["input"], link_fields)) for c in others])
    order = np.lexsort((distance, -shared))[:k]
    return [(others[i], float(distance[i])) for i in order]


def _links(data: dict, fields: tuple[str, ...]) -> set[tuple[str, str]]:
    out = set()
    for name in fields:
        node = data
        for step in name.split("."):
            node = node.get(step) if isinstance(node, dict) else None
        if node not in (None, ""):
            out.add((name, str(node)))
    return out
