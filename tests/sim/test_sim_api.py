"""The library surface: argument checks, summary, and engine-input helpers."""
import json
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from riskrules.sim import TABLES, iter_inputs, load_applications, simulate, write_samples_jsonl


@pytest.mark.parametrize("kwargs, message", [
    ({"applicants": 0}, "applicants must be a positive integer"),
    ({"applicants": -5}, "applicants must be a positive integer"),
    ({"applicants": 2.5}, "applicants must be a positive integer"),
    ({"days": 0}, "days must be a positive integer"),
    ({"days": -1}, "days must be a positive integer"),
    ({"seed": -1}, "seed must be a non-negative integer"),
    ({"start": "2026-01-01"}, "start must be a date"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    args = {"seed": 1, "applicants": 10, "out": tmp_path / "out", **kwargs}
    with pytest.raises(ValueError, match=message):
        simulate(args.pop("seed"), args.pop("applicants"), args.pop("out"), **args)


def test_unwritable_out_dir(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "below"):
        with pytest.raises(ValueError, match="is not writable"):
            simulate(1, 10, out)


def test_summary_matches_files(book):
    s = book.summary
    assert set(TABLES) <= set(s.paths)
    for table in TABLES:
        assert pl.read_parquet(s.paths[table]).height == s.rows[table]
        assert s.paths[table].parent == s.out
    assert s.rows["applications"] == s.rows["loans"] == s.rows["truth"] == s.applicants
    assert all(s.rows[t] > 0 for t in TABLES)
    assert sum(s.patterns.values()) == book["truth"]["pattern"].drop_nulls().len()


def test_tiny_book(tmp_path):
    s = simulate(3, 1, tmp_path, days=1)
    assert s.rows["applications"] == 1


def test_load_applications_from_folder_or_file(book):
    a = load_applications(book.out)
    b = load_applications(book.out / "applications.parquet")
    assert a.equals(b) and a.height == book.summary.applicants
    with pytest.raises(ValueError, match="no applications table"):
        load_applications(book.out / "missing")


def test_iter_inputs_yields_engine_dicts(book):
    df = load_applications(book.out)
    rows = list(iter_inputs(df.head(25), batch_size=10))
    assert len(rows) == 25
    first = rows[0]
    assert set(first) == {"application", "applicant", "credit", "device", "contacts"}
    assert isinstance(first["application"]["submitted_at"], datetime)
    assert first["application"]["submitted_at"].tzinfo is not None
    assert isinstance(first["applicant"]["birth_date"], date)
    assert isinstance(first["applicant"]["kyc"]["face_match"], float)


def test_write_samples_jsonl(book, tmp_path):
    path = write_samples_jsonl(load_applications(book.out), tmp_path / "samples" / "apps.jsonl", 5)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    row = json.loads(lines[0])
    submitted = row["application"]["submitted_at"]
    assert datetime.fromisoformat(submitted).utcoffset().total_seconds() == 0
    assert date.fromisoformat(row["applicant"]["birth_date"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in row["applicant"]["name"])  # not \u-escaped
