"""Every application row is a valid input of rulesets/origination/schema.yaml."""
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from riskrules.sim.nesting import INPUT_COLUMNS

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "rulesets" / "origination" / "schema.yaml"


def parse_schema(node) -> dict:
    """{field: (kind, optional, enum values | nested dict)} from the YAML shorthand."""
    fields = {}
    for key, value in node.items():
        optional = key.endswith("?")
        name = key.rstrip("?")
        if isinstance(value, dict):
            fields[name] = ("object", optional, parse_schema(value))
            continue
        text = value.strip()
        if text.endswith("?"):
            optional, text = True, text[:-1].strip()
        if text.startswith("enum("):
            values = tuple(v.strip() for v in text[5:-1].split(","))
            fields[name] = ("enum", optional, values)
        else:
            fields[name] = (text, optional, None)
    return fields


CHECKS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, date) and not isinstance(v, datetime),
    "datetime": lambda v: isinstance(v, datetime) and v.utcoffset() == timedelta(0),
}


def violations(value: dict, schema: dict, path: str = "") -> list[str]:
    bad = [f"{path}{k}: not in schema" for k in value if k not in schema]
    for name, (kind, optional, extra) in schema.items():
        where = f"{path}{name}"
        if name not in value:
            bad.append(f"{where}: missing")
            continue
        v = value[name]
        if v is None:
            if not optional:
                bad.append(f"{where}: null but required")
        elif kind == "object":
            bad += violations(v, extra, where + ".") if isinstance(v, dict) else [f"{where}: not an object"]
        elif kind == "enum":
            if v not in extra:
                bad.append(f"{where}: {v!r} not one of {extra}")
        elif not CHECKS[kind](v):
            bad.append(f"{where}: {v!r} is not {kind}")
    return bad


@pytest.fixture(scope="module")
def schema() -> dict:
    return parse_schema(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_top_level_columns(book, schema):
    df = book["applications"]
    assert df.columns == ["applicant_id", "application_id", *schema]
    assert tuple(schema) == INPUT_COLUMNS


def test_struct_fields_in_schema_order(book, schema):
    def names(dtype):
        return [f.name for f in dtype.fields]

    df = book["applications"]
    for column, (_, _, fields) in schema.items():
        assert names(df.schema[column]) == list(fields), column
    kyc = df.schema["applicant"].fields[[f.name for f in df.schema["applicant"].fields].index("kyc")].dtype
    assert names(kyc) == list(schema["applicant"][2]["kyc"][2])


def test_every_row_matches_schema(book, schema):
    rows = book["applications"].select(INPUT_COLUMNS).to_dicts()
    problems = [(i, p) for i, row in enumerate(rows) for p in violations(row, schema)]
    assert problems == []


def test_optional_fields_are_sometimes_null(big_book, schema):
    df = big_book["applications"]
    optional = [(col, name) for col, (_, _, fields) in schema.items() for name, (_, opt, _) in fields.items() if opt]
    assert optional
    for col, name in optional:
        nulls = df.select(pl.col(col).struct.field(name).is_null().sum()).item()
        assert 0 < nulls < df.height, f"{col}.{name}"


def test_enums_use_every_value(big_book, schema):
    df = big_book["applications"]
    for col, (_, _, fields) in schema.items():
        for name, (kind, _, values) in fields.items():
            if kind == "enum":
                seen = set(df.select(pl.col(col).struct.field(name)).to_series().drop_nulls())
                assert seen == set(values), f"{col}.{name}"


def test_schema_parser_reads_shorthand():
    parsed = parse_schema({"a": "int?", "b": "enum(x, y)", "c?": {"d": "date"}})
    assert parsed == {"a": ("int", True, None), "b": ("enum", False, ("x", "y")),
                      "c": ("object", True, {"d": ("date", False, None)})}
