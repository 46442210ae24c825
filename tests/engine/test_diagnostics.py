"""Checker diagnostics, data-driven: each case lists the codes it must produce."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import riskrules

from .helpers import deep_merge, write_ruleset

HERE = Path(__file__).parent / "checker" / "diagnostics.yaml"
DOC = yaml.safe_load(HERE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_diagnostics(tmp_path, case):
    rs = deep_merge(DOC["defaults"]["ruleset"], case["ruleset"])
    path = write_ruleset(tmp_path, rs)
    for name, content in case.get("files", {}).items():  # model files beside the ruleset
        (tmp_path / name).write_text(yaml.safe_dump(content), encoding="utf-8")
    diags = riskrules.check(path)
    codes = sorted({d.code for d in diags})
    if "codes" in case:
        assert codes == sorted(set(case["codes"])), [d.headline() for d in diags]
    if "codes_any" in case:
        assert set(codes) & set(case["codes_any"]), [d.headline() for d in diags]
    for d in diags:
        assert d.span.file == str(path)
        assert d.span.line >= 1 and d.span.col >= 1
    if "hint" in case:
        assert any(d.hint == case["hint"] for d in diags), [(d.code, d.hint) for d in diags]
    # sorted by position
    assert [d.sort_key() for d in diags] == sorted(d.sort_key() for d in diags)
