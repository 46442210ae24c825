"""UTC for naive datetimes, atomic writes and the ruleset-path resolver
(riskrules/_common/time.py, files.py), and the rule that _common is a leaf."""
from __future__ import annotations

import ast
import datetime as dt
import doctest
import os
import stat
import sys
from pathlib import Path

import pytest

import riskrules._common.json as common_json
import riskrules._common.time as common_time
from riskrules._common.files import NoRuleset, ruleset_file, write_atomic
from riskrules._common.time import UTC, assume_utc, parse_datetime, utcnow

CST = dt.timezone(dt.timedelta(hours=8))
COMMON = Path(common_time.__file__).parent


class NoOffset(dt.tzinfo):
    """A tzinfo that knows no offset: Python calls such a datetime naive."""

    def utcoffset(self, d):
        return None


@pytest.mark.parametrize(("value", "expect"), [
    (dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 1, 9, tzinfo=UTC)),
    (dt.datetime(2026, 3, 1, 9, tzinfo=CST), dt.datetime(2026, 3, 1, 9, tzinfo=CST)),
    (dt.datetime(2026, 3, 1, 9, tzinfo=NoOffset()), dt.datetime(2026, 3, 1, 9, tzinfo=UTC)),
], ids=["naive", "aware", "tzinfo without offset"])
def test_assume_utc(value, expect):
    got = assume_utc(value)
    assert got == expect and got.utcoffset() == expect.utcoffset()


@pytest.mark.parametrize(("text", "offset"), [
    ("2026-03-01T09:00:00", dt.timedelta(0)),
    ("2026-03-01", dt.timedelta(0)),
    ("2026-03-01T09:00:00+08:00", dt.timedelta(hours=8)),
    ("2026-03-01T09:00:00Z", dt.timedelta(0)),
])
def test_parse_datetime_is_always_aware(text, offset):
    assert parse_datetime(text).utcoffset() == offset


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-02-30T00:00"])
def test_parse_datetime_refuses_what_is_not_a_time(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_utcnow_is_aware_utc():
    assert utcnow().utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("module", [common_json, common_time], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failed, tried = doctest.testmod(module)
    assert tried and not failed


def test_common_is_a_leaf():
    """_common imports only the standard library and itself, so every stage may use it."""
    for f in sorted(COMMON.glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1, f"{f.name} imports from outside _common"
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", f"{f.name} imports {name}"


# -- ruleset paths ------------------------------------------------------------------


@pytest.mark.parametrize(("files", "arg", "expect"), [
    (["ruleset.yaml"], ".", "ruleset.yaml"),
    (["ruleset.rules"], ".", "ruleset.rules"),
    (["ruleset.yaml", "ruleset.rules"], ".", "ruleset.yaml"),
    (["ruleset.rules"], "ruleset.rules", "ruleset.rules"),
    (["other.yaml"], "other.yaml", "other.yaml"),
], ids=["folder yaml", "folder rules", "yaml first", "rules file", "any file"])
def test_ruleset_file(tmp_path, files, arg, expect):
    for name in files:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert ruleset_file(tmp_path / arg) == tmp_path / expect


@pytest.mark.parametrize(("arg", "message"), [
    ("missing.yaml", "missing.yaml: no such file"),
    (".", "is a folder without ruleset.yaml or ruleset.rules"),
], ids=["missing", "empty folder"])
def test_no_ruleset(tmp_path, arg, message):
    with pytest.raises(NoRuleset, match=message) as info:
        ruleset_file(tmp_path / arg)
    assert isinstance(info.value, FileNotFoundError)


# -- atomic writes ------------------------------------------------------------------


def test_write_atomic_replaces_text_and_keeps_permissions(tmp_path):
    f = tmp_path / "learned.yaml"
    f.write_text("old", encoding="utf-8")
    f.chmod(0o640)
    write_atomic(f, "新 rules\n")
    assert f.read_text(encoding="utf-8") == "新 rules\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["learned.yaml"]  # no temp file left


def test_write_atomic_new_file_gets_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.yaml", b"bytes")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").read_bytes() == b"bytes"
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644


def test_write_atomic_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "shared" / "learned.yaml"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "learned.yaml"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    f = tmp_path / "ruleset.yaml"
    f.write_text("old", encoding="utf-8")

    def refuse(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        write_atomic(f, "new")
    assert f.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["ruleset.yaml"]
