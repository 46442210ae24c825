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
    ("book.csv", "id,bad\n1,yes\n2,no\n", {"label": "bad"}, "data.column_type", "'yes' (1 rows), 'no' (1 rows)"),
    ("book.csv", "id,bad\n1,0\n2,2\n3,-1\n", {"label": "bad"}, "data.column_type", "2 (1 rows), -1"),
    ("book.csv", "id,bad\n1,0.5\n", {"label": "bad"}, "data.column_type", "0.5 (1 rows)"),
    # the label column with 0/1/2: which of 1 and 2 is bad is not guessed
    ("book.csv", "id,bad\n1,0\n2,1\n3,2\n", {"label": "bad"}, "data.column_type", "found 2 (1 rows)"),
    # the German credit coding (1 = good, 2 = bad) is refused until declared
    ("book.csv", "id,kredit\n1,1\n2,2\n", {"label": "kredit"}, "data.column_type", "--bad-value 2 --good-value 1"),
    ("book.csv", "id,bad\n1,0\n2,1\n3,2\n", {"label": "bad", "bad_value": 2}, "data.column_type",
     "more than one other value"),
    ("book.csv", "id,bad\n1,0\n2,1\n", {"label": "bad", "bad_value": 1, "good_value": 1}, "data.column_type",
     "both the bad and the good"),
    ("book.csv", "id,bad\n1,0\n2,1\n3,2\n", {"label": "bad", "bad_value": 2, "good_value": 1},
     "data.column_type", "found 0 (1 rows)"),
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
    ("book.csv", "application_id,bad\na1,bad\na2,good\na3,\n"),
    ("book.csv", "application_id,bad\na1,BAD\na2, Good\na3,\n"),
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
    with pytest.raises(DataError, match="column 'bad'.*'Y' \\(1 rows\\)"):
        check_label(pl.Series("bad", ["Y", "N"]))
    assert check_label(pl.Series("bad", [1.0, 0.0, None])).to_list() == [True, False, None]


@pytest.mark.parametrize("values,kw,expected", [
    ([1, 2, None], {"bad_value": 2, "good_value": 1}, [False, True, None]),   # German credit's coding
    ([1, 2, None], {"bad_value": "2"}, [False, True, None]),                  # the one other value is good
    (["yes", "no"], {"bad_value": "yes"}, [True, False]),
    ([True, False], {"bad_value": False, "good_value": True}, [False, True]),  # a declared coding is obeyed
    ([1.0, float("nan"), 0.0], {}, [True, None, False]),                      # NaN is no label, like null
])
def test_declared_label_codings(values, kw, expected):
    assert check_label(pl.Series("y", values), **kw).to_list() == expected


def test_a_column_of_mixed_types_is_read_as_text_whole(tmp_path):
    """polars guessed the type from the first rows and failed later; the whole file is scanned."""
    rows = "\n".join(f"a{i},{i}" for i in range(200)) + "\na200,twelve\n"
    df = load_data(write(tmp_path, "book.csv", "application_id,age\n" + rows))
    assert df["age"].dtype == pl.String and df.height == 201
