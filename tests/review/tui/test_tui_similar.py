"""Similar-case search and the lenient evidence reader, case by case."""

from __future__ import annotations

import pytest

from riskrules.review.tui.evidence import read_evidence
from riskrules.review.tui.similar import LabelledExample, similar_cases

POOL = [
    LabelledExample(1, "bad", {"dti": 0.9, "platforms_90d": 6, "new_account": True, "channel": "app"}),
    LabelledExample(2, "good", {"dti": 0.1, "platforms_90d": 0, "new_account": False, "channel": "app"}),
    LabelledExample(3, "bad", {"dti": 0.8, "platforms_90d": 5, "new_account": True, "channel": "partner"}),
    LabelledExample(4, "good", {"dti": None, "platforms_90d": 1}),
]

# query features; expected case ids, nearest first
NEAREST = [
    ({"dti": 0.85, "platforms_90d": 6, "new_account": True, "channel": "app"}, [1, 3, 2, 4]),
    ({"dti": 0.1, "platforms_90d": 0, "new_account": False, "channel": "app"}, [2, 1, 4, 3]),
    # a feature only the other case has counts as fully different
    ({"platforms_90d": 1}, [4, 2, 3, 1]),
]


@pytest.mark.parametrize(("features", "expected"), NEAREST)
def test_nearest_cases_come_first(features, expected):
    assert [s.case_id for s in similar_cases(features, POOL, k=10)] == expected


def test_distance_is_zero_for_an_identical_case_and_between_zero_and_one():
    found = similar_cases(dict(POOL[0].features), POOL, k=10)
    assert found[0].case_id == 1 and found[0].distance == 0.0
    assert all(0.0 <= s.distance <= 1.0 for s in found)
    assert "dti" in found[0].shared


def test_the_case_itself_is_excluded_and_k_limits():
    found = similar_cases(dict(POOL[0].features), POOL, k=2, exclude=1)
    assert [s.case_id for s in found] == [3, 2]


@pytest.mark.parametrize("features", [{}, None])
def test_no_features_means_no_similar_cases(features):
    assert similar_cases(features or {}, POOL) == []


# raw evidence; what the reader must make of it
EVIDENCE = [
    (None, {"fired": (), "models": (), "links": ()}),
    ({"fired": "MPL-001"}, {"fired": ()}),
    ({"fired": ["A", None, 3]}, {"fired": ("A", "3")}),
    ({"models": {"pd": {"probability": "x", "contributions": [{"points": True}, "junk"]}}},
     {"model_probability": None, "contribution_points": [0.0, 0.0]}),
    ({"nearly_fired": [{"rule": "B", "distance": 0.5}, {"rule": "A", "distance": -2}, {"rule": "C"}]},
     {"near_order": ["A", "B", "C"], "near_first_distance": 0.0}),
    ({"links": [{"kind": "device", "value": "d1", "other_case_ids": [3, "4", "x", True]}]},
     {"link_ids": (3, 4)}),
]


@pytest.mark.parametrize(("raw", "expected"), EVIDENCE)
def test_evidence_reader_degrades_per_section(raw, expected):
    ev = read_evidence(raw)
    observed = {
        "fired": ev.fired, "models": ev.models, "links": ev.links,
        "model_probability": ev.models[0].probability if ev.models else None,
        "contribution_points": [c.points for c in ev.models[0].contributions] if ev.models else [],
        "near_order": [m.rule for m in ev.nearly_fired],
        "near_first_distance": ev.nearly_fired[0].distance if ev.nearly_fired else None,
        "link_ids": ev.links[0].other_case_ids if ev.links else (),
    }
    assert {key: observed[key] for key in expected} == expected
