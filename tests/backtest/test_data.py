"""load_data: every failure is one DataError naming the file (and column)."""
from __future__ import annotations

import polars as pl
import pytest

from riskrules.backtest import DataError, check_label, load_data


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name,text,kw,code,fragment", [
    ("missing.csv", None, {}, "data.missing_file", "no such file"),
    ("book.xlsx", "a,b\n1,2\n", {}, "data.extension", "unknown file extension '.xlsx'"),
    ("book", "a,b\n1,2\n", {}, "data.extension", "unknown file extension '(none)'"),
    ("empty.csv", "", {}, "data.empty", "file is empty"),
    ("header.csv", "id,bad\n", {}, "data.empty", "no rows"),
    ("empty.jsonl", "", {}, "data.empty", "file is empty"),
    ("bad.parquet", "this is not parquet", {}, "data.unreadable", "cannot read as Parquet"),
    ("bad.jsonl", '{"a": 1}\n{"a": \n', {}, "data.unreadable", "cannot read as JSONL"),
    ("book.csv", "id,bad_12m\n1,0\n", {"require": ["application_id"]}, "data.missing_column", "not found"),
    ("book.csv", "id,bad_12m\n1,0\n", {"label": "bad_12"}, "data.missing_column", "did you mean 'bad_12m'?"),
    ("book.csv", "id,bad\n1,yes\n2,no\n", {"label": "bad"}, "data.column_type", "'yes', 'no'"),
    ("book.csv", "id,bad\n1,0\n2,2\n3,-1\n", {"label": "bad"}, "data.column_type", "2, -1"),
    ("book.csv", "id,bad\n1,0.5\n", {"label": "bad"}, "data.column_type", "0.5"),
])
def test_data_errors(tmp_path, name, text, kw, code, fragment):
    p = tmp_path / name if text is None else write(tmp_path, name, text)
    with pytest.raises(DataError) as info:
        load_data(p, **kw)
    err = info.value
    assert err.code == code
    assert str(p) in str(err)
    assert fragment in str(err)
    d = err.to_dict()
    assert d["code"] == code and d["path"] == str(p)
    if code in ("data.missing_column", "data.column_type"):
        assert err.column in str(err) and d["column"] == err.column


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        load_data(tmp_path)


@pytest.mark.parametrize("name,text", [
    ("book.csv", "application_id,bad\na1,1\na2,0\na3,\n"),
    ("book.csv", "application_id,bad\na1,true\na2,false\na3,\n"),
    ("book.jsonl", '{"application_id": "a1", "bad": 1}\n{"application_id": "a2", "bad": 0}\n'
                   '{"application_id": "a3", "bad": null}\n'),
])
def test_good_files_load(tmp_path, name, text):
    df = load_data(write(tmp_path, name, text), require=["application_id"], label="bad")
    assert df.height == 3
    assert check_label(df["bad"]).to_list() == [True, False, None]


def test_parquet_loads(tmp_path):
    p = tmp_path / "book.parquet"
    pl.DataFrame({"id": [1, 2], "bad": [True, False]}).write_parquet(p)
    assert load_data(p, label="bad").shape == (2, 2)


def test_jsonl_keeps_nested_objects(tmp_path):
    df = load_data(write(tmp_path, "book.ndjson", '{"applicant": {"age": 30}}\n'))
    assert df["applicant"].struct.field("age").to_list() == [30]


def test_label_checked_without_a_file():
    with pytest.raises(DataError, match="column 'bad'.*'Y'"):
        check_label(pl.Series("bad", ["Y", "N"]))
    assert check_label(pl.Series("bad", [1.0, 0.0, None])).to_list() == [True, False, None]
