"""Loading a backtest book (Parquet, CSV, JSONL) with errors a risk expert can act on.

Every failure is one :class:`DataError` naming the file, the column when there is
one, and a stable ``code`` — never a polars or pyarrow traceback.

    >>> df = load_data("book_2024q4.parquet", label="bad_12m", require=["application_id"])
    >>> book = load_book(Path("book"), label=BOOK_LABEL)  # a simulated book folder, or a file
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Iterable

import polars as pl

READERS = {
    ".parquet": ("Parquet", pl.read_parquet),
    ".pq": ("Parquet", pl.read_parquet),
    ".csv": ("CSV", lambda p: pl.read_csv(p, infer_schema_length=10_000, try_parse_dates=True)),
    ".jsonl": ("JSONL", pl.read_ndjson),
    ".ndjson": ("JSONL", pl.read_ndjson),
}

# Label values are performance outcomes: 1 / true = went bad. Strings are refused on
# purpose — "yes"/"Y"/"bad" conventions differ between teams and guessing flips a book.
BOOK_LABEL = "default_90d"  # the label a simulated book folder is backtested against by default

_LABEL_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16,
                  pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)


class DataError(Exception):
    """A data file or column that cannot be used for a backtest.

    ``code`` is stable: ``data.missing_file``, ``data.extension``, ``data.empty``,
    ``data.unreadable``, ``data.missing_column``, ``data.column_type``.
    """

    def __init__(self, code: str, message: str, *, path: str | None = None,
                 column: str | None = None, hint: str | None = None):
        self.code, self.message, self.path, self.column, self.hint = code, message, path, column, hint
        where = f"{path}: " if path else ""
        col = f"column {column!r}: " if column else ""
        super().__init__(f"{where}{col}{message}" + (f" ({hint})" if hint else ""))

    def to_dict(self) -> dict:
        return {"error": "DataError", "code": self.code, "message": str(self),
                "path": self.path, "column": self.column, "hint": self.hint}


def load_data(path: str | os.PathLike, *, require: Iterable[str] = (),
              label: str | None = None) -> pl.DataFrame:
    """Read a Parquet / CSV / JSONL file into a DataFrame, checked.

    ``require`` names columns that must exist (e.g. an id column); ``label``, when
    given, must exist and hold 0/1 or true/false (1 = bad; nulls = no performance
    yet, e.g. declined applications). Raises :class:`DataError`.
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
    kind, reader = READERS[ext]
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
        label_series(df, label, source=src)
    return df


def require_column(df: pl.DataFrame, column: str, *, source: str | None = None) -> pl.Series:
    """``df[column]``, or a :class:`DataError` listing the columns that do exist."""
    if column in df.columns:
        return df[column]
    close = difflib.get_close_matches(column, df.columns, n=1)
    shown = ", ".join(df.columns[:20]) + (", …" if len(df.columns) > 20 else "")
    hint = f"did you mean {close[0]!r}?" if close else f"columns are: {shown}"
    raise DataError("data.missing_column", "not found", path=source, column=column, hint=hint)


def label_series(df: pl.DataFrame, column: str, *, source: str | None = None) -> pl.Series:
    """The label column as Boolean (True = bad, null = unlabelled), checked."""
    return check_label(require_column(df, column, source=source), source=source)


def check_label(s: pl.Series, *, source: str | None = None) -> pl.Series:
    """Validate a label series (0/1, 0.0/1.0 or bool; nulls allowed) and return it as Boolean."""
    name = s.name or "label"
    if s.dtype == pl.Boolean:
        return s.alias(name)
    if s.dtype == pl.Null:
        return s.cast(pl.Boolean).alias(name)
    if s.dtype in _LABEL_NUMERIC:
        vals = s.drop_nulls()
        bad = vals.filter((vals != 0) & (vals != 1))
        if bad.len() == 0:
            return (s == 1).alias(name)
        examples = bad.unique(maintain_order=True).head(3).to_list()
    else:
        examples = s.drop_nulls().cast(pl.Utf8, strict=False).unique(maintain_order=True).head(3).to_list()
    shown = ", ".join(repr(v) for v in examples)
    raise DataError("data.column_type", f"label must be 0/1 or true/false (1 = bad), "
                    f"found {s.dtype} values such as {shown}", path=source, column=name,
                    hint="recode it, e.g. bad = 1 if days_past_due >= 90 else 0")


def load_book(path: Path, *, label: str | None = None) -> pl.DataFrame:
    """A data file, or a simulator book folder (applications joined with their ground truth)."""
    if path.is_dir():
        apps, truth = path / "applications.parquet", path / "truth.parquet"
        if not apps.is_file():
            raise DataError("data.missing_file", "a folder needs applications.parquet (a simulated book)",
                            path=str(path))
        df = pl.read_parquet(apps)
        if truth.is_file():
            t = pl.read_parquet(truth).drop([c for c in ("applicant_id",) if c in df.columns])
            df = df.join(t, on="application_id", how="left", maintain_order="left")
        if label is not None and label not in df.columns:
            raise DataError("data.missing_column", f"no column {label!r}", path=str(path), column=label)
        return nest_dotted(df)
    return nest_dotted(load_data(path, label=label))


def nest_dotted(df: pl.DataFrame) -> pl.DataFrame:
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
                        column=clash[0])
    return df.with_columns([build(t, ns).alias(t) for t, ns in tops.items()]).drop(dotted)
