"""List files: digit-only lines still match text fields (phone and ID numbers)."""
from __future__ import annotations

from riskrules import Engine


def test_digit_lines_match_strings_and_numbers(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "ids.txt").write_text("# blocked\n13800000000\n11010519491231002X\n", encoding="utf-8")
    (tmp_path / "lists" / "codes.txt").write_text("7995\n6051  # gambling\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text(
        "{ruleset: l, version: '1', schema: {a: {phone: string, mcc: int, code: string}},\n"
        " lists: {ids: lists/ids.txt, codes: lists/codes.txt},\n"
        " rules: [{id: ID, when: a.phone in ids, action: decline},\n"
        "         {id: MCC, when: a.mcc in codes, action: review},\n"
        "         {id: TXT, when: a.code in codes, action: review}]}\n", encoding="utf-8")
    e = Engine.load(tmp_path / "r.yaml")
    assert e.decide({"a": {"phone": "13800000000", "mcc": 1, "code": "x"}}).fired == ("ID",)
    assert e.decide({"a": {"phone": "11010519491231002X", "mcc": 1, "code": "x"}}).fired == ("ID",)
    assert e.decide({"a": {"phone": "1", "mcc": 7995, "code": "6051"}}).fired == ("MCC", "TXT")
    assert e.decide({"a": {"phone": "1", "mcc": 1, "code": "1"}}).fired == ()
