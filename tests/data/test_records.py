"""riskrules.data.records: inputs one at a time from JSONL, CSV (dotted columns nest) and Parquet."""
from __future__ import annotations

import polars as pl
import pytest

from riskrules.data import DataError, records, rows


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name,text,expected", [
    ("in.csv", "application.id,applicant.age\nA1,30\nA2,\n",
     [("line 2", {"application": {"id": "A1"}, "applicant": {"age": 30}}),
      ("line 3", {"application": {"id": "A2"}, "applicant": {"age": None}})]),
    ("in.jsonl", '{"a": 1}\n\n{"a": {"b": 2}}\n', [("line 1", {"a": 1}), ("line 3", {"a": {"b": 2}})]),
])
def test_records_with_their_place(tmp_path, name, text, expected):
    assert list(records(write(tmp_path, name, text))) == expected


def test_parquet_rows_are_numbered(tmp_path):
    p = tmp_path / "in.parquet"
    pl.DataFrame({"x": [1, 2]}).write_parquet(p)
    assert [w for w, _ in records(p)] == ["row 1", "row 2"]


@pytest.mark.parametrize("name,text,kw,fragment", [
    ("in.jsonl", '{"a": 1}\n[1]\n{oops\n', {}, "line 2: expected a JSON object; line 3: not JSON"),
    ("in.jsonl", "\n\n", {}, "no records"),
    ("in.txt", "x", {}, "unknown file extension '.txt'"),
    ("in.csv", "application.id,x\nA,1\n", {"require": ("application.idd",)}, "application has: id"),
    ("in.csv", "application.id,x\nA,1\n", {"require": ("loan",)}, "column 'loan': not found"),
    ("in.csv", "a,a.b\n1,2\n", {}, "given both as a column and as dotted fields"),
])
def test_record_errors_name_the_place(tmp_path, name, text, kw, fragment):
    with pytest.raises(DataError) as info:
        list(records(write(tmp_path, name, text), **kw))
    assert fragment in str(info.value)


def test_numbers_from_a_text_column_only_where_they_spell_numbers():
    df = pl.DataFrame({"app": [{"age": "30"}, {"age": "sixty"}, {"age": None}], "n": ["1.5", "x", "2"]})
    got = list(rows(df, numbers={"app.age": "int", "n": "number", "missing.path": "int"}))
    assert got == [{"app": {"age": 30}, "n": 1.5}, {"app": {"age": "sixty"}, "n": "x"},
                   {"app": {"age": None}, "n": 2.0}]
