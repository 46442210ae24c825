"""The command line, end to end: exit codes 0 ok / 1 problems / 2 usage, stdout vs stderr."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskrules.cli import app

ROOT = Path(__file__).resolve().parents[2]
ORIG = ROOT / "rulesets" / "origination"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def flat(text: str) -> str:
    """stderr without rich's line wrapping (it breaks long paths anywhere)."""
    return text.replace("\n", "")


def small_ruleset(tmp: Path, when="app.age < 18", extra=None) -> Path:
    rs = {"ruleset": "cli", "version": "1", "schema": {"app": {"age": "int", "name": "string?"}},
          "rules": [{"id": "AGE", "when": when, "action": "decline", "reason": "TOO_YOUNG"}]}
    rs.update(extra or {})
    p = tmp / "ruleset.yaml"
    p.write_text(yaml.safe_dump(rs, sort_keys=False), encoding="utf-8")
    return p


def test_check_ok_and_problems(tmp_path):
    assert run("check", ORIG).exit_code == 0
    bad = small_ruleset(tmp_path, when="app.agee < 18")
    r = run("check", bad)
    assert r.exit_code == 1
    assert "E200" in r.output and "did you mean 'app.age'" in r.output and "^" in r.output


def test_check_json(tmp_path):
    r = run("check", small_ruleset(tmp_path, when="app.agee < 18"), "--format", "json")
    assert r.exit_code == 1
    diags = json.loads(r.stdout)
    assert diags[0]["code"] == "E200" and diags[0]["line"] >= 1 and diags[0]["col"] >= 1


@pytest.mark.parametrize("args", [["check", "nope.yaml"], ["check"], ["check", ".", "--format", "xml"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    assert run(*args).exit_code == 2


def test_fmt_round_trip_yaml_rules_yaml(tmp_path):
    rules = run("fmt", ORIG, "--to", "rules")
    assert rules.exit_code == 0 and "rule " in rules.stdout
    (ORIG / "ruleset.rules").exists() or None
    p = tmp_path / "o.rules"
    # the .rules text refers to files relative to the ruleset folder: write it there
    p = ORIG / "_roundtrip_test.rules"
    try:
        p.write_text(rules.stdout, encoding="utf-8")
        back = run("fmt", p, "--to", "yaml")
        assert back.exit_code == 0
        from riskrules.dsl.fmt import same_ast
        from riskrules.dsl.loader import load_ruleset

        y = ORIG / "_roundtrip_test.yaml"
        y.write_text(back.stdout, encoding="utf-8")
        try:
            assert same_ast(load_ruleset(ORIG / "ruleset.yaml"), load_ruleset(y))
        finally:
            y.unlink()
    finally:
        p.unlink()


def test_fmt_write_keeps_the_origination_comments_and_then_checks(tmp_path):
    folder = tmp_path / "origination"
    shutil.copytree(ORIG, folder)
    path = folder / "ruleset.yaml"
    assert run("fmt", path, "--check").exit_code == 1
    assert run("fmt", path, "--write").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) == 16
    assert run("fmt", path, "--check").exit_code == 0
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_fmt_write_is_atomic(tmp_path, monkeypatch):
    path = small_ruleset(tmp_path)
    before = path.read_text(encoding="utf-8")

    def interrupted(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", interrupted)
    result = run("fmt", path, "--write")
    assert result.exit_code == 2 and "cannot write" in flat(result.stderr)
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_compile_show_and_dump(tmp_path):
    r = run("compile", small_ruleset(tmp_path), "--show")
    assert r.exit_code == 0 and "def decide_ruleset" in r.stdout and "# AGE" in r.stdout
    for stage in ("lower", "fold", "order", "analyse", "check"):  # check: lower's old name
        r = run("compile", small_ruleset(tmp_path, when="app.age < 18 and app.age > 30"), "--dump-after", stage)
        assert r.exit_code == 0 and "rule AGE" in r.stdout
        assert ("# W400" in r.stdout) == (stage == "analyse")
    r = run("compile", small_ruleset(tmp_path), "--dump-after", "nope")
    assert r.exit_code == 2 and "lower, fold, order, analyse" in flat(r.stderr)
    r = run("compile", small_ruleset(tmp_path, when="app.agee < 18"), "--dump-after", "fold")
    assert r.exit_code == 1 and "E200" in r.output and not r.stdout.strip()
    r = run("compile", small_ruleset(tmp_path), "--show", "--backend", "batch")
    assert r.exit_code == 0 and "rule:AGE" in r.stdout


def test_run_jsonl_with_bad_lines(tmp_path):
    rs = small_ruleset(tmp_path)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"app": {"age": 16}}\nnot json\n{"app": {"age": "x"}}\n\n{"app": {"age": 40}}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("run", rs, "-i", inp, "-o", out, "--now", "2026-03-01T10:00:00+08:00")
    assert r.exit_code == 1
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x.get("line") for x in lines] == [1, 2, 3, 5]
    assert lines[0]["outcome"] == "decline" and lines[3]["outcome"] == "approve"
    assert lines[1]["error"] == "InvalidJSON" and lines[2]["error"] == "InputError"
    assert lines[2]["problems"][0]["field"] == "app.age"
    assert "2 failed lines" in r.output


def test_run_all_good_exits_0(tmp_path):
    rs = small_ruleset(tmp_path)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"app": {"age": 16}}\n', encoding="utf-8")
    assert run("run", rs, "-i", inp, "-o", tmp_path / "o.jsonl").exit_code == 0
    assert run("run", rs, "-i", tmp_path / "missing.jsonl").exit_code == 2
    assert run("run", rs, "-i", inp, "--now", "yesterday").exit_code == 2


def test_test_command_reports_and_fails(tmp_path):
    r = run("test", ORIG)
    assert r.exit_code == 0 and r.stdout.strip().endswith("0 failed")
    rs = small_ruleset(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.yaml").write_text(yaml.safe_dump({"cases": [
        {"name": "young", "input": {"app": {"age": 16}}, "expect": {"outcome": "decline", "reasons": ["TOO_YOUNG"]}},
        {"name": "wrong", "input": {"app": {"age": 40}}, "expect": {"outcome": "decline"}},
    ]}), encoding="utf-8")
    r = run("test", rs)
    assert r.exit_code == 1
    assert "1 passed, 1 failed" in r.stdout and "outcome: expected 'decline', got 'approve'" in r.output


def test_explain_tree_and_bad_input(tmp_path):
    rs = small_ruleset(tmp_path)
    one = tmp_path / "one.json"
    one.write_text('{"app": {"age": 16}}', encoding="utf-8")
    r = run("explain", rs, "-i", one)
    assert r.exit_code == 0 and "DECLINE" in r.stdout and "TOO_YOUNG" in r.stdout
    one.write_text('{"app": {"age": "old"}}', encoding="utf-8")
    r = run("explain", rs, "-i", one)
    assert r.exit_code == 1 and "app.age" in r.output
    one.write_text('{"app": ', encoding="utf-8")
    assert run("explain", rs, "-i", one).exit_code == 1


def test_schema_and_functions():
    r = run("schema")
    assert r.exit_code == 0 and "properties" in json.loads(r.stdout)
    r = run("functions")
    assert r.exit_code == 0 and "cn_id_valid" in r.stdout


def test_simulate_and_backtest(tmp_path):
    book = tmp_path / "book"
    r = run("simulate", "--out", book, "--applicants", 400, "--seed", 5)
    assert r.exit_code == 0 and (book / "applications.parquet").is_file()
    assert run("simulate", "--out", book, "--applicants", 0).exit_code == 2
    report = tmp_path / "r.html"
    r = run("backtest", ORIG, "--data", book, "--format", "json", "--report", report)
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc and report.is_file()
    assert run("backtest", ORIG, "--data", tmp_path / "none.parquet").exit_code == 2
    folder = tmp_path / "a-folder.html"
    folder.mkdir()  # the report path exists but cannot be written as a file
    r = run("backtest", ORIG, "--data", book, "--format", "json", "--report", folder)
    assert r.exit_code == 2 and "a-folder.html" in flat(r.stderr) and "cannot write the report" in flat(r.stderr)


def test_backtest_bad_data_names_the_column(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("application.id,x\n1,2\n", encoding="utf-8")
    r = run("backtest", ORIG, "--data", csv)
    assert r.exit_code == 1 and "column" in r.output
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    r = run("backtest", ORIG, "--data", empty)
    assert r.exit_code == 1 and "empty" in r.output


def test_run_output_in_a_missing_folder_is_a_usage_error(tmp_path, monkeypatch):
    import builtins

    rs = small_ruleset(tmp_path)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"app": {"age": 16}}\n', encoding="utf-8")
    opened = []
    real_open = builtins.open

    def tracking_open(*a, **k):
        f = real_open(*a, **k)
        opened.append(f)
        return f

    monkeypatch.setattr(builtins, "open", tracking_open)
    bad = tmp_path / "nonexistent" / "dir" / "x.jsonl"
    r = run("run", rs, "-i", inp, "-o", bad)
    monkeypatch.undo()
    assert r.exit_code == 2
    assert "x.jsonl" in flat(r.stderr) and "cannot write" in flat(r.stderr) and "No such file or directory" in flat(r.stderr)
    assert opened and all(f.closed for f in opened)  # the input is not leaked


def test_backtest_report_in_a_missing_folder_is_a_usage_error(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("application.id,x\n1,2\n", encoding="utf-8")
    r = run("backtest", ORIG, "--data", csv, "--report", tmp_path / "nonexistent" / "d" / "x.html")
    assert r.exit_code == 2
    assert "x.html" in flat(r.stderr) and "No such file or directory" in flat(r.stderr)


def test_run_turns_undecodable_lines_into_error_records(tmp_path):
    rs = small_ruleset(tmp_path)
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(b'{"app": {"age": 16}}\n{"app": {"age": 1\xff}}\n{"app": {"age": 40, "name": "\xe4\xb8\xad"}}\n')
    out = tmp_path / "out.jsonl"
    r = run("run", rs, "-i", inp, "-o", out, "--now", "2026-03-01T10:00:00+08:00")
    assert r.exit_code == 1
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x.get("line") for x in lines] == [1, 2, 3]
    assert lines[1]["error"] == "InvalidUTF8" and "UTF-8" in lines[1]["message"]
    assert lines[0]["outcome"] == "decline" and lines[2]["outcome"] == "approve"
    # the same from stdin
    r = runner.invoke(app, ["run", str(rs)], input=inp.read_bytes(), catch_exceptions=False)
    assert r.exit_code == 1
    records = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x.get("error") for x in records] == [None, "InvalidUTF8", None]


def test_explain_non_utf8_input_is_a_clear_error(tmp_path):
    rs = small_ruleset(tmp_path)
    inp = tmp_path / "one.json"
    inp.write_bytes(b'{"app": {"age": 16, "name": "\xff\xfe"}}')
    r = run("explain", rs, "-i", inp)
    assert r.exit_code == 1
    assert "one.json" in flat(r.stderr) and "not valid UTF-8" in flat(r.stderr)


def test_demo_without_the_shipped_ruleset_is_a_clear_error(tmp_path, monkeypatch):
    import riskrules.cli.jobs as wf

    def missing(name):
        raise FileNotFoundError(f"the shipped ruleset {name!r} is not at /nowhere; run from a source checkout")

    monkeypatch.setattr(wf, "_shipped", missing)
    r = run("demo", "--out", tmp_path / "demo", "--applicants", 10)
    assert r.exit_code == 1
    assert "shipped ruleset" in flat(r.stderr) and "Traceback" not in r.output


@pytest.mark.parametrize("command", ["run", "backtest", "explain", "ingest"])
@pytest.mark.parametrize("garbage", ["yesterday", "", "2026-02-30T10:00:00", "2026-03-01T10:00:00+25:00", "x" * 500],
                         ids=["word", "empty", "impossible-date", "bad-offset", "long"])
def test_now_garbage_is_one_usage_line(tmp_path, command, garbage):
    inp = tmp_path / "in.json"
    inp.write_text((ORIG / "samples" / "applications.jsonl").read_text(encoding="utf-8").splitlines()[0],
                   encoding="utf-8")
    args = {"run": ["run", ORIG, "-i", inp], "backtest": ["backtest", ORIG, "--data", inp],
            "explain": ["explain", ORIG, "-i", inp],
            "ingest": ["ingest", inp, "--ruleset", ORIG, "--db", f"sqlite:///{tmp_path / 'r.db'}"]}[command]
    r = run(*args, "--now", garbage)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--now" in lines[0] and "is not an ISO 8601 datetime" in lines[0]
    assert "Traceback" not in r.output


def test_run_decides_as_of_the_declared_time_unless_now_is_given(tmp_path):
    rs = small_ruleset(tmp_path, when="now() - app.seen < 24h",
                       extra={"decision_time": "app.at",
                              "schema": {"app": {"age": "int", "at": "datetime", "seen": "datetime"}}})
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"app": {"age": 30, "at": "2025-05-01T08:00:00+08:00", "seen": "2025-04-30T12:00:00Z"}}\n'
                   '{"app": {"age": 30, "seen": "2025-04-30T12:00:00Z"}}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("run", rs, "-i", inp, "-o", out)
    first, second = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert r.exit_code == 1  # the second line lacks its decision time
    assert first["fired"] == ["AGE"] and first["evaluated_at"] == "2025-05-01T00:00:00+00:00"
    assert second["error"] == "InputError" and second["problems"][0]["field"] == "app.at"
    run("run", rs, "-i", inp, "-o", out, "--now", "2025-06-01T00:00:00")
    first, second = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert first["fired"] == [] and first["evaluated_at"] == "2025-06-01T00:00:00+00:00"
    assert second["error"] == "InputError"  # app.at is required by the schema, whatever the time


def test_explain_names_the_missing_decision_time(tmp_path):
    rs = small_ruleset(tmp_path, extra={"decision_time": "app.at",
                                        "schema": {"app": {"age": "int", "at": "datetime?"}}})
    inp = tmp_path / "in.json"
    inp.write_text('{"app": {"age": 16}}', encoding="utf-8")
    r = run("explain", rs, "-i", inp)
    assert r.exit_code == 1 and "app.at: the decision time (decision_time) is missing" in flat(r.stderr)
    assert run("explain", rs, "-i", inp, "--now", "2025-06-01T00:00:00+08:00").exit_code == 0


def test_demo_finds_the_shipped_ruleset_from_a_source_checkout():
    """The README's main job: riskrules demo reads rulesets/origination from the checkout (the
    path broke when workflows.py moved into cli/jobs.py, and no test ran the real lookup)."""
    import riskrules.cli.jobs as jobs

    assert jobs._shipped("origination") == (ORIG / "ruleset.yaml").resolve()


def test_demo_runs_end_to_end(tmp_path):
    """The README's first command, small: screen the samples, simulate, backtest, fill the queue."""
    r = run("demo", "--out", tmp_path / "demo", "--applicants", 300)
    assert r.exit_code == 0, r.output + r.stderr
    assert (tmp_path / "demo" / "report.html").is_file() and (tmp_path / "demo" / "review.db").is_file()
    assert (tmp_path / "demo" / "decisions.jsonl").read_text(encoding="utf-8").count("\n") == 300
