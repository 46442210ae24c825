"""Same seed, same bytes; different seed, different book."""
from datetime import date

from riskrules.sim import simulate


def _files(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path):
    a = simulate(5, 1_500, tmp_path / "a", days=20, start=date(2026, 2, 1))
    b = simulate(5, 1_500, tmp_path / "b", days=20, start=date(2026, 2, 1))
    fa, fb = _files(a.out), _files(b.out)
    assert fa.keys() == fb.keys() and len(fa) == 13  # 10 tables and 3 lists
    assert all(fa[k] == fb[k] for k in fa)
    assert a.rows == b.rows and a.patterns == b.patterns


def test_other_seed_gives_other_book(tmp_path):
    a = simulate(5, 500, tmp_path / "a")
    b = simulate(6, 500, tmp_path / "b")
    assert _files(a.out)["applications.parquet"] != _files(b.out)["applications.parquet"]
