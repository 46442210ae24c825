"""riskrules intent train: reviewers' corrections become labelled rows and a new versioned model."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from riskrules.cli import app


def test_corrections_make_a_new_version_that_loads(tmp_path):
    from riskrules.text import classify, load_model

    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(json.dumps({"text": "我下个月发工资还一半", "intent": "promise_to_pay"}, ensure_ascii=False)
                           + "\n", encoding="utf-8")
    out = tmp_path / "model.json"
    r = CliRunner().invoke(app, ["intent", "train", "--out", str(out), "--extra", str(corrections)])
    assert r.exit_code == 0, r.output
    model = load_model(out)
    assert model.version != load_model().version  # the corrections changed the corpus digest
    assert classify("我下周发工资一定还", model=model).intent == "promise_to_pay"


def test_a_bad_correction_is_refused_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "intent": "dance"}\n', encoding="utf-8")
    out = tmp_path / "model.json"
    r = CliRunner().invoke(app, ["intent", "train", "--out", str(out), "--extra", str(bad)])
    assert r.exit_code == 1 and "intent 'dance' is not one of" in r.output and "Traceback" not in r.output
    assert not out.exists()
