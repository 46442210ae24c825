"""Reading a table or a book (Parquet, CSV, JSONL) with errors a risk expert can act on.

Every failure is one :class:`DataError` naming the file, the column when there is
one, and a stable ``code`` — never a polars or pyarrow traceback.

    >>> df = load_data("book_2024q4.parquet", label="bad_12m", require=["application_id"])
    >>> book = load_book(Path("book"), label=BOOK_LABEL)  # a simulated book folder, or a file
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from .errors import DataError
from .labels import label_key, label_meanings

# a whole-file schema scan: a column whose type changes after the first rows is read as
# text (and the engine's input check names it), not a parse error half-way through
READERS = {
    ".parquet": ("Parquet", pl.read_parquet),
    ".pq": ("Parquet", pl.read_parquet),
    ".csv": ("CSV", lambda p: pl.read_csv(p, infer_schema_length=None, try_parse_dates=True)),
    ".jsonl": ("JSONL", lambda p: pl.read_ndjson(p, infer_schema_length=None)),
    ".ndjson": ("JSONL", lambda p: pl.read_ndjson(p, infer_schema_length=None)),
}
TEXT_CSV = ("CSV", lambda p: pl.read_csv(p, infer_schema=False))  # cells as written: ids keep leading zeros
BOOK_FILE = "applications.parquet"  # a simulated book folder's applications table
BOOK_LABEL = "default_90d"  # the label a simulated book folder is backtested against by default


def load_data(path: str | os.PathLike, *, require: Iterable[str] = (), label: str | None = None,
              bad_value=None, good_value=None, text: bool = False) -> pl.DataFrame:
    """Read a Parquet / CSV / JSONL file into a DataFrame, checked.

    ``require`` names columns that must exist (e.g. an id column); ``label``, when
    given, must exist and say bad or good by :mod:`riskrules.data.labels` (or by the
    declared ``bad_value`` / ``good_value``); the returned frame holds it as Boolean.
    ``text=True`` reads CSV cells as text, untyped (identifiers, codes). Raises :class:`DataError`.
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise DataError("data.missing_file", "no such file", path=src)
    if p.is_dir():
        raise DataError("data.missing_file", "is a directory, not a data file", path=src)
    ext = p.suffix.lower()
    if ext not in READERS:
        known = ", ".join(sorted(READERS))
        raise DataError("data.extension", f"unknown file extension {ext or '(none)'!r}",
                        path=src, hint=f"expected one of {known}")
    if p.stat().st_size == 0:
        raise DataError("data.empty", "file is empty", path=src)
    kind, reader = TEXT_CSV if text and ext == ".csv" else READERS[ext]
    try:
        df = reader(p)
    except pl.exceptions.NoDataError:
        raise DataError("data.empty", "file is empty", path=src) from None
    except Exception as exc:  # polars, pyarrow and OS errors all mean "cannot use this file"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError("data.unreadable", f"cannot read as {kind}: {first}", path=src) from None
    if df.height == 0:
        raise DataError("data.empty", "file has a header but no rows", path=src)
    for col in require:
        require_column(df, col, source=src)
    if label is not None:
        df = df.with_columns(label_series(df, label, source=src, bad_value=bad_value, good_value=good_value))
    return df


def require_column(df: pl.DataFrame, column: str, *, source: str | None = None) -> pl.Series:
    """``df[column]``, or a :class:`DataError` listing the columns that do exist."""
    if column in df.columns:
        return df[column]
    close = difflib.get_close_matches(column, df.columns, n=1)
    shown = ", ".join(df.columns[:20]) + (", …" if len(df.columns) > 20 else "")
    hint = f"did you mean {close[0]!r}?" if close else f"columns are: {shown}"
    raise DataError("data.missing_column", "not found", path=source, column=column, hint=hint)


def column_at(df: pl.DataFrame, dotted: str, *, source: str | None = None) -> pl.Series:
    """The column a dotted path names (``application.id``: a field of the ``application``
    struct), or a :class:`DataError` saying what is there instead."""
    head, *rest = dotted.split(".")
    series = require_column(df, head, source=source)
    for k, step in enumerate(rest):
        names = [f.name for f in getattr(series.dtype, "fields", None) or ()]
        if step not in names:
            raise DataError("data.missing_column", "not found", path=source, column=dotted,
                            hint=f"{'.'.join([head, *rest[:k]])} has: {', '.join(names) or 'no fields'}")
        series = series.struct.field(step)
    return series.alias(dotted)


def label_series(df: pl.DataFrame, column: str, *, source: str | None = None, bad_value=None,
                 good_value=None) -> pl.Series:
    """The label column as Boolean (True = bad, null = unlabelled), checked."""
    return check_label(require_column(df, column, source=source), source=source,
                       bad_value=bad_value, good_value=good_value)


def check_label(s: pl.Series, *, source: str | None = None, bad_value=None, good_value=None) -> pl.Series:
    """A label series as Boolean (True = bad, null = unlabelled), read by the one label
    convention (:mod:`riskrules.data.labels`); a :class:`DataError` for anything else."""
    name = s.name or "label"
    if s.dtype == pl.Boolean and bad_value is None:
        return s.alias(name)
    if s.dtype == pl.Null:
        return s.cast(pl.Boolean).alias(name)
    if s.dtype.is_nested():
        raise DataError("data.column_type", f"a label is one value per row, found {s.dtype}",
                        path=source, column=name)
    counts: dict[str, int] = {}
    for value, n in s.drop_nulls().value_counts().iter_rows():
        counts[label_key(value)] = counts.get(label_key(value), 0) + n
    distinct = s.drop_nulls().unique(maintain_order=True).to_list()
    meanings = label_meanings(distinct, column=name, source=source, bad_value=bad_value,
                              good_value=good_value, counts=counts)
    bad = [v for v in distinct if meanings.get(label_key(v)) is True]
    known = [v for v in distinct if label_key(v) in meanings]
    return _as_flags(s, bad, known).alias(name)


def _as_flags(s: pl.Series, bad: list, known: list) -> pl.Series:
    # values the convention does not know never reach here; nulls and NaN stay unlabelled
    frame = pl.DataFrame({"v": s})
    return frame.select(pl.when(pl.col("v").is_in(known)).then(pl.col("v").is_in(bad))
                        .otherwise(None).alias("v"))["v"]


def load_book(path: Path, *, label: str | None = None, bad_value=None, good_value=None) -> pl.DataFrame:
    """A data file, or a simulator book folder (applications joined with their ground truth),
    with dotted CSV columns nested into objects."""
    path = Path(path)
    if path.is_dir():
        apps, truth = path / BOOK_FILE, path / "truth.parquet"
        if not apps.is_file():
            raise DataError("data.missing_file", f"a folder needs {BOOK_FILE} (a simulated book)",
                            path=str(path))
        df = pl.read_parquet(apps)
        if truth.is_file():
            t = pl.read_parquet(truth).drop([c for c in ("applicant_id",) if c in df.columns])
            df = df.join(t, on="application_id", how="left", maintain_order="left")
        if label is not None:
            df = df.with_columns(label_series(df, label, source=str(path), bad_value=bad_value,
                                              good_value=good_value))
        return nest_dotted(df)
    return nest_dotted(load_data(path, label=label, bad_value=bad_value, good_value=good_value),
                       source=str(path))


def rows(df: pl.DataFrame, batch_size: int = 10_000, *, numbers: dict[str, str] | None = None) -> Iterator[dict]:
    """The rows of ``df`` as (nested) dicts, a slice at a time so a large book is never
    turned into Python objects all at once.

    ``numbers`` maps dotted field paths to ``int`` or ``number`` (what the ruleset's
    schema declares). A CSV column with one stray text cell is read as text whole; for
    such a column each cell that spells a number becomes one, and the others stay text,
    so the engine rejects those rows alone, naming the field, not every row of the file.
    """
    text = {p: k for p, k in (numbers or {}).items() if _dtype_at(df, p) == pl.String}
    for offset in range(0, df.height, batch_size):
        for row in df.slice(offset, batch_size).iter_rows(named=True):
            for dotted, kind in text.items():
                _number_from_text(row, dotted.split("."), kind)
            yield row


def _dtype_at(df: pl.DataFrame, dotted: str):
    head, *rest = dotted.split(".")
    if head not in df.columns:
        return None
    dtype = df.schema[head]
    for step in rest:
        fields = {f.name: f.dtype for f in getattr(dtype, "fields", None) or ()}
        if step not in fields:
            return None
        dtype = fields[step]
    return dtype


def _number_from_text(row: dict, steps: list[str], kind: str) -> None:
    *parents, leaf = steps
    for step in parents:
        row = row.get(step) if isinstance(row, dict) else None
    value = row.get(leaf) if isinstance(row, dict) else None
    if not isinstance(value, str):
        return
    try:
        row[leaf] = int(value) if kind == "int" else float(value)
    except ValueError:
        pass  # not a number: left as written, for the engine's input check to name


def row_place(path: str | os.PathLike, n: int) -> str:
    """Where row ``n`` (1-based) of a file is, as a reader of that file finds it:
    ``line N`` in a CSV (after the header) or JSONL, ``row N`` in Parquet."""
    ext = Path(path).suffix.lower()
    if ext == ".csv":
        return f"line {n + 1}"
    return f"line {n}" if ext in (".jsonl", ".ndjson") else f"row {n}"


def nest_dotted(df: pl.DataFrame, *, source: str | None = None) -> pl.DataFrame:
    """Columns named ``applicant.age`` (flat CSV) become struct columns (``applicant``)."""
    dotted = [c for c in df.columns if "." in c]
    if not dotted:
        return df

    def build(prefix: str, names: list[str]) -> pl.Expr:
        groups: dict[str, list[str]] = {}
        leaves = []
        for n in names:
            rest = n[len(prefix) + 1:]
            head, _, tail = rest.partition(".")
            if tail:
                groups.setdefault(head, []).append(n)
            else:
                leaves.append(pl.col(n).alias(head))
        fields = leaves + [build(f"{prefix}.{h}", ns).alias(h) for h, ns in groups.items()]
        return pl.struct(fields)

    tops: dict[str, list[str]] = {}
    for c in dotted:
        tops.setdefault(c.split(".", 1)[0], []).append(c)
    clash = [t for t in tops if t in df.columns]
    if clash:
        raise DataError("data.column", f"column {clash[0]!r} is given both as a column and as dotted fields",
                        path=source, column=clash[0])
    return df.with_columns([build(t, ns).alias(t) for t, ns in tops.items()]).drop(dotted)
