"""Providers: model kinds are registered classes bound from the loader's bytes.

* check() opens no file; a file rewritten between the loader's read and the check
  does not change the digest a Decision carries;
* scikit-learn pipelines get named columns and text for categorical inputs, or check
  says plainly (E304) that the estimator cannot take the declared inputs;
* a new model kind is one registered class, usable on every backend.
"""
from __future__ import annotations

import builtins
import datetime as dt
import io
import os
import re
import sys
import threading
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import polars as pl
import pytest
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import riskrules
from riskrules import Engine
from riskrules.dsl.fmt import format_rules
from riskrules.dsl.loader import load_ruleset
from riskrules.engine import providers, runtime
from riskrules.engine.batch import decide_frame, describe
from riskrules.engine.check import check, digest
from riskrules.engine.dump import dump_program
from riskrules.engine.types import NUMBER, STRING

from .helpers import engine_from, write_ruleset

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
KINDS = ["salaried", "self_employed", "student"]


def _on_every_backend(engine: Engine, rows: list[dict]) -> list[dict]:
    """Each row's decision on codegen, interpret and batch; asserts they agree and returns codegen's."""
    frame = decide_frame(engine, pl.DataFrame(rows), now=NOW)
    out = []
    for row, b in zip(rows, frame.iter_rows(named=True)):
        c = engine.decide(row, now=NOW)
        i = engine.decide(row, now=NOW, backend="interpret")
        assert b["input_error"] is None
        assert c.outcome == i.outcome == b["outcome"]
        assert c.reason_codes == i.reason_codes == b["reasons"]
        assert list(c.fired) == list(i.fired) == b["fired"]
        assert [e["where"] for e in c.errors] == [e["where"] for e in i.errors] == b["errors"]
        for name, m in c.models.items():
            assert m == i.models[name]
            assert m["probability" if "probability" in m else "score"] == pytest.approx(b[f"model:{name}"])
        out.append(c.to_dict())
    return out


# -- scikit-learn: named columns and categorical values -------------------------------------


def _book(n=300, seed=1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"income": rng.uniform(500, 20000, n), "employment": rng.choice(KINDS, n)})
    logit = -0.0003 * (df.income - 8000) + (df.employment == "student") * 1.5 - (df.employment == "salaried") * 0.8
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, y


def _pipeline(tmp_path) -> object:
    df, y = _book()
    pipe = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["employment"])], remainder="passthrough"),
        LogisticRegression(max_iter=1000)).fit(df, y)
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    return pipe


def _sk_ruleset(kind_type: str = "enum(salaried, self_employed, student)", path: str = "pipe.joblib") -> dict:
    return {"ruleset": "sk", "version": "1",
            "schema": {"app": {"income": "number", "employment": kind_type + "?"}},
            "models": {"pd": {"type": "sklearn", "path": path, "version": "pipe-1",
                              "inputs": {"employment": "app.employment", "income": "app.income"}}},
            "rules": [{"id": "PD", "when": "models.pd > 0.5", "action": "decline", "reason": "HIGH_PD"}],
            "decision": {"policy": "worst", "score": "models.pd.points"}}


def test_a_categorical_pipeline_works_end_to_end_on_every_backend(tmp_path):
    pipe = _pipeline(tmp_path)
    engine = engine_from(tmp_path, _sk_ruleset())
    assert not [d for d in engine.diagnostics if d.is_error]
    rows = [{"app": {"income": inc, "employment": k}} for inc in (800.0, 6000.0, 19000.0) for k in KINDS + [None]]
    decided = _on_every_backend(engine, rows)
    for row, d in zip(rows, decided):
        assert d["errors"] == []
        want = pipe.predict_proba(pd.DataFrame({"income": [row["app"]["income"]],
                                                "employment": np.array([row["app"]["employment"]], dtype=object)}))[0, 1]
        assert d["models"]["pd"]["probability"] == pytest.approx(want)
        assert d["models"]["pd"]["version"] == "pipe-1"
    assert {d["outcome"] for d in decided} == {"approve", "decline"}


def test_without_pandas_the_estimator_gets_a_polars_frame(tmp_path, monkeypatch):
    pipe = _pipeline(tmp_path)
    real_import = builtins.__import__

    def no_pandas(name, *a, **kw):
        if name.split(".")[0] == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *a, **kw)

    monkeypatch.delitem(sys.modules, "pandas")  # as if never installed: sklearn looks pandas up there
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    engine = engine_from(tmp_path, _sk_ruleset())
    assert type(engine.program.models["pd"].model._matrix([[3000.0], ["student"]])).__module__.startswith("polars")
    decided = _on_every_backend(engine, [{"app": {"income": 3000.0, "employment": "student"}}])
    monkeypatch.undo()
    want = pipe.predict_proba(pd.DataFrame({"income": [3000.0], "employment": ["student"]}))[0, 1]
    assert decided[0]["models"]["pd"]["probability"] == pytest.approx(want)


def test_a_free_text_input_the_encoder_ignores_when_unknown_also_works(tmp_path):
    _pipeline(tmp_path)
    engine = engine_from(tmp_path, _sk_ruleset(kind_type="string"))
    decided = _on_every_backend(engine, [{"app": {"income": 5000.0, "employment": "astronaut"}}])
    assert decided[0]["errors"] == []


def test_inputs_are_named_by_the_estimators_columns(tmp_path):
    _pipeline(tmp_path)
    rs = _sk_ruleset()
    rs["models"]["pd"]["inputs"] = {"employmnt": "app.employment", "income": "app.income"}
    diags = riskrules.check(write_ruleset(tmp_path, rs))
    assert [(d.code, d.message) for d in diags if d.is_error] == [
        ("E302", "model 'pd' needs input 'employment', which is not mapped"),
        ("E302", "model 'pd' has no input 'employmnt'")]


def test_an_estimator_that_cannot_take_text_is_a_plain_check_error(tmp_path):
    X = np.random.default_rng(0).normal(size=(50, 2))
    joblib.dump(LogisticRegression().fit(X, (X[:, 0] > 0).astype(int)), tmp_path / "lr.joblib")
    rs = _sk_ruleset(path="lr.joblib")
    path = write_ruleset(tmp_path, rs)
    diags = [d for d in riskrules.check(path) if d.is_error]
    assert [d.code for d in diags] == ["E304"]
    d = diags[0]
    assert "cannot take the declared inputs" in d.message and "could not convert string to float" in d.message
    assert (d.span.file, d.span.line) == (str(path), path.read_text().splitlines().index("  pd:") + 1)
    with pytest.raises(riskrules.RulesetError):
        Engine.load(path)


def test_an_input_an_estimator_cannot_take_at_all_is_E304(tmp_path):
    _pipeline(tmp_path)
    rs = _sk_ruleset()
    rs["schema"]["app"]["since"] = "datetime"
    rs["models"]["pd"]["inputs"]["income"] = "app.since"
    diags = [d for d in riskrules.check(write_ruleset(tmp_path, rs)) if d.is_error]
    assert [d.code for d in diags] == ["E304"] and "'income' is a datetime" in diags[0].message


def test_the_batch_plan_lists_the_model_that_runs_in_python(tmp_path):
    _pipeline(tmp_path)
    text = describe(engine_from(tmp_path, _sk_ruleset()), NOW)
    assert "# models evaluated in Python, a batch at a time: pd: Pipeline.predict_proba" in text


def test_a_row_the_estimator_refuses_is_a_fault_of_that_row_in_batch_too(tmp_path):
    df, y = _book()
    strict = make_pipeline(ColumnTransformer([("cat", OneHotEncoder(), ["employment"])], remainder="passthrough"),
                           LogisticRegression(max_iter=1000)).fit(df, y)
    joblib.dump(strict, tmp_path / "pipe.joblib")
    free_text = [d for d in riskrules.check(write_ruleset(tmp_path, _sk_ruleset(kind_type="string"))) if d.is_error]
    assert [d.code for d in free_text] == ["E304"] and "unknown categories" in free_text[0].message
    engine = engine_from(tmp_path, _sk_ruleset(kind_type="enum(salaried, self_employed, student, astronaut)"))
    rows = [{"app": {"income": 5000.0, "employment": "salaried"}}, {"app": {"income": 5000.0, "employment": "astronaut"}}]
    decided = _on_every_backend(engine, rows)
    assert decided[0]["errors"] == [] and [e["where"] for e in decided[1]["errors"]] == ["rule:PD", "score"]


# -- check() reads nothing; the digest is the parsed bytes' ------------------------------------


def _full_ruleset(tmp_path) -> Path:
    _pipeline(tmp_path)
    (tmp_path / "card.yaml").write_text(yaml.safe_dump({
        "model": "c", "version": "1", "features": [{"name": "income", "bins": [{"max": 3000, "points": 1}, {"other": True, "points": 5}]}]}))
    (tmp_path / "blocked.txt").write_text("salaried\n", encoding="utf-8")
    rs = _sk_ruleset()
    rs["models"]["card"] = {"type": "scorecard", "path": "card.yaml", "inputs": {"income": "app.income"}}
    rs["lists"] = {"blocked": "blocked.txt"}
    rs["rules"].append({"id": "BL", "when": "app.employment in blocked", "action": "decline", "reason": "BLOCKED"})
    return write_ruleset(tmp_path, rs)


def test_check_opens_no_file(tmp_path, monkeypatch):
    rs = load_ruleset(_full_ruleset(tmp_path))
    check(rs)  # imports done (the passes, sklearn's unpickled classes): what is left is check's own I/O

    def no_io(*a, **kw):
        raise AssertionError("check() touched the file system")

    for target, name in [(builtins, "open"), (io, "open"), (os, "open"), (os, "stat"),
                         (Path, "open"), (Path, "read_bytes"), (Path, "read_text"), (Path, "is_file"), (Path, "exists")]:
        monkeypatch.setattr(target, name, no_io)
    prog, diags = check(rs)
    assert prog is not None and set(prog.models) == {"pd", "card"}


def _rewrite_before_check(monkeypatch, path: Path, new_text: str):
    """Make runtime's check() see ``path`` rewritten on disk first: a deploy landing mid-load."""
    real = runtime.check

    def racing(rs, **kw):
        path.write_text(new_text, encoding="utf-8")
        return real(rs, **kw)

    monkeypatch.setattr(runtime, "check", racing)


def test_a_file_rewritten_between_read_and_check_does_not_change_the_digest(tmp_path, monkeypatch):
    path = _full_ruleset(tmp_path)
    parsed = digest(load_ruleset(path))
    _rewrite_before_check(monkeypatch, tmp_path / "blocked.txt", "student\n")
    engine = Engine.load(path)
    d = engine.decide({"app": {"income": 9000.0, "employment": "salaried"}}, now=NOW)
    assert d.ruleset["digest"] == parsed  # the bytes that were parsed ...
    assert d.fired == ("BL",)  # ... and the list that was parsed, not the one on disk now
    monkeypatch.undo()
    assert digest(load_ruleset(path)) != parsed


def test_reload_stamps_the_digest_of_what_it_parsed(tmp_path, monkeypatch):
    path = _full_ruleset(tmp_path)
    engine = Engine.load(path)
    old = engine.ruleset["digest"]
    (tmp_path / "card.yaml").write_text((tmp_path / "card.yaml").read_text().replace("points: 5", "points: 6"))
    parsed = digest(load_ruleset(path))
    _rewrite_before_check(monkeypatch, tmp_path / "card.yaml", (tmp_path / "card.yaml").read_text().replace("6", "7"))
    assert not [d for d in engine.reload() if d.is_error]
    d = engine.decide({"app": {"income": 9000.0, "employment": "student"}}, now=NOW)
    assert d.ruleset["digest"] == parsed != old


# -- a new model kind is one registered class -------------------------------------------------


class _Band:
    """A result with the two outputs the tiny kind declares."""

    def __init__(self, score, band):
        self.score, self.band, self.contributions = score, band, ()

    def to_dict(self):
        return {"score": self.score, "band": self.band, "contributions": []}


class LinearBand(providers.ModelProvider):
    """score = bias + sum(weight * input); band 'high' at or above a cut. File: YAML weights."""

    kind = "test_linear_band"
    outputs = {"score": NUMBER, "band": STRING}
    default_output = "score"

    @classmethod
    def bind(cls, ref, data):
        spec = yaml.safe_load(data)
        if not isinstance(spec, dict) or "weights" not in spec:
            raise providers.ProviderError(f"{ref.path}: needs 'weights'")
        return cls(spec)

    def __init__(self, spec):
        self.weights = spec["weights"]
        self.bias, self.cut = spec.get("bias", 0.0), spec["cut"]
        self.input_names = tuple(self.weights)
        self.version = str(spec.get("version", ""))

    def __call__(self, values):
        if any(v is None for v in values):
            raise ValueError("missing input")
        s = self.bias + sum(w * float(v) for w, v in zip(self.weights.values(), values))
        return _Band(s, "high" if s >= self.cut else "low")

    def batch(self, inputs, *, prefix, code):
        s = pl.lit(self.bias, dtype=pl.Float64)
        for w, (v, _) in zip(self.weights.values(), inputs):
            s = s + w * v.cast(pl.Float64)
        missing = pl.any_horizontal([v.is_null() for v, _ in inputs])
        band = pl.when(s >= self.cut).then(pl.lit("high")).otherwise(pl.lit("low"))
        return providers.BatchModel(pl.struct(s.alias("score"), band.alias("band")), fault=missing)


@pytest.fixture
def linear_kind():
    providers.register(LinearBand)
    yield LinearBand
    providers.base._MODELS.pop(LinearBand.kind)


def test_a_new_model_kind_is_one_registered_class_on_every_backend(tmp_path, linear_kind):
    (tmp_path / "w.yaml").write_text(yaml.safe_dump({"weights": {"dti": 2.0, "apps": 0.1}, "bias": -0.5, "cut": 0.5,
                                                     "version": "w7"}))
    rs = {"ruleset": "lin", "version": "1", "schema": {"app": {"dti": "number?", "apps": "int"}},
          "models": {"risk": {"type": "test_linear_band", "path": "w.yaml",
                              "inputs": {"dti": "app.dti", "apps": "app.apps"}}},
          "rules": [{"id": "HIGH", "when": "models.risk.band == 'high'", "action": "decline", "reason": "RISK_BAND"},
                    {"id": "EDGE", "when": "models.risk > 0.3 and models.risk < 0.5", "action": "review"}]}
    engine = engine_from(tmp_path, rs)
    rows = [{"app": {"dti": dti, "apps": apps}} for dti in (0.1, 0.35, 0.42, 0.6, None) for apps in (0, 3)]
    decided = _on_every_backend(engine, rows)
    assert [d["outcome"] for d in decided] == ["approve", "approve", "approve", "decline", "review", "decline",
                                               "decline", "decline", "review", "review"]
    assert decided[-1]["errors"][0]["where"] == "rule:HIGH"  # a missing input faults the rules that read it
    assert decided[0]["models"]["risk"] == {"score": pytest.approx(-0.3), "band": "low", "contributions": [],
                                            "version": "w7"}
    assert "model risk (test_linear_band w7) inputs: app.apps, app.dti" in dump_program(engine.program)
    # the .rules format names the kind the same way: `model risk test_linear_band "w.yaml" {…}`
    text = format_rules(load_ruleset(tmp_path / "ruleset.yaml"))
    assert 'model risk test_linear_band "w.yaml"' in text
    (tmp_path / "ruleset.rules").write_text(text, encoding="utf-8")
    def same(d):
        return d["outcome"], d["fired"], d["reasons"], d["models"], [e["where"] for e in d["errors"]]

    assert [same(d) for d in _on_every_backend(Engine.load(tmp_path / "ruleset.rules"), rows)] == \
        [same(d) for d in decided]


def test_outputs_are_declared_to_the_checker(tmp_path, linear_kind):
    (tmp_path / "w.yaml").write_text(yaml.safe_dump({"weights": {"dti": 2.0}, "cut": 0.5}))
    rs = {"ruleset": "lin", "version": "1", "schema": {"app": {"dti": "number"}},
          "models": {"risk": {"type": "test_linear_band", "path": "w.yaml", "inputs": {"dti": "app.dti"}}},
          "rules": [{"id": "A", "when": "models.risk.points > 1", "action": "decline"},
                    {"id": "B", "when": "models.risk.band > 1", "action": "decline"}]}
    diags = [d for d in riskrules.check(write_ruleset(tmp_path, rs)) if d.is_error]
    assert [d.code for d in diags] == ["E200", "E203"]
    assert diags[0].hint == "outputs: score, band"


def test_an_unknown_model_type_names_the_registered_ones(tmp_path):
    (tmp_path / "m.yaml").write_text("x: 1\n")
    rs = {"ruleset": "x", "version": "1", "schema": {"a": {"x": "number"}},
          "models": {"m": {"type": "scorecrd", "path": "m.yaml", "inputs": {"x": "a.x"}}}}
    diags = [d for d in riskrules.check(write_ruleset(tmp_path, rs)) if d.is_error]
    assert [(d.code, d.hint) for d in diags] == [("E302", "did you mean 'scorecard'?")]


def test_no_model_kind_is_named_outside_its_provider():
    """'Providers, not branches': the checker and the backends never test a model's kind."""
    engine = Path(providers.__file__).parents[1]
    modules = ["check.py", "codegen.py", "interpret.py", "runtime.py", "dump.py", "policies.py"]
    modules += [str(p.relative_to(engine)) for p in sorted((engine / "batch").glob("*.py"))]
    for module in modules:
        text = (engine / module).read_text(encoding="utf-8")
        assert not re.search(r"""["'](scorecard|sklearn)["']""", text), module


def test_decisions_during_deploys_carry_the_digest_of_the_version_that_decided_them(tmp_path):
    """Issue 14: a deploy landing while reload() runs. Each version's list names it; rule R<k>
    fires only under version k, so every decision shows which version decided it, and its
    digest must be that version's."""
    versions = 6
    lists = tmp_path / "current.txt"
    rs = {"ruleset": "deploys", "version": "1", "schema": {"a": {"x": "int"}}, "lists": {"current": "current.txt"},
          "rules": [{"id": f"R{k}", "when": f"'v{k}' in current", "action": "review"} for k in range(versions)]}
    path = write_ruleset(tmp_path, rs)
    digest_of = {}
    for k in range(versions):
        lists.write_text(f"v{k}\n", encoding="utf-8")
        digest_of[digest(load_ruleset(path))] = f"R{k}"
    engine = Engine.load(path)
    stop = threading.Event()

    def deploy():
        k = 0
        while not stop.is_set():
            k = (k + 1) % versions
            tmp = tmp_path / "current.tmp"
            tmp.write_text(f"v{k}\n", encoding="utf-8")
            os.replace(tmp, lists)  # each deploy is atomic; reloads race with them

    deployer = threading.Thread(target=deploy)
    deployer.start()
    try:
        seen = []
        for _ in range(150):
            engine.reload()
            d = engine.decide({"a": {"x": 1}}, now=NOW)
            seen.append((digest_of[d.ruleset["digest"]], d.fired))
    finally:
        stop.set()
        deployer.join()
    assert all(fired == (rule,) for rule, fired in seen)
    assert len({rule for rule, _ in seen}) > 1  # the deploys did land during the run


def test_the_digest_of_unchanged_files_is_the_one_they_had_when_it_was_read_from_disk():
    """Logged decisions name a digest; an upgrade must not change it for the same files."""
    import hashlib

    root = Path(__file__).parents[2] / "rulesets" / "origination"
    rs = load_ruleset(root / "ruleset.yaml")
    paths = [root / "ruleset.yaml", root / rs.schema.path] + [root / ld.path for ld in rs.lists if ld.path]
    paths += [root / m.path for m in rs.models] + [root / i for i in rs.includes]
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    assert Engine.load(root / "ruleset.yaml").ruleset["digest"] == digest(rs) == h.hexdigest()[:16]


def test_the_registry_loads_no_heavy_package_on_import_riskrules():
    import subprocess

    code = ("import sys, riskrules; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'joblib', 'pandas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2], env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert out.stdout.strip() == "[]"
