"""The one reader of tables and books (Parquet, CSV, JSONL), and the one label convention.

``run``, ``ingest``, ``backtest``, ``outcomes import`` and the simulator's loaders all
read files here, so a CSV with dotted column names (``applicant.age``) nests the same
way everywhere, and a label means the same thing everywhere.

    >>> from riskrules.data import load_book
    >>> book = load_book(Path("german.csv"), label="creditability")   # doctest: +SKIP
"""
from .errors import DataError
from .records import is_jsonl, jsonl_objects, records
from .labels import BAD_VALUES, GOOD_VALUES, label_key, label_meanings
from .tables import (BOOK_FILE, BOOK_LABEL, READERS, check_label, column_at, label_series, load_book, load_data,
                     nest_dotted, require_column, row_place, rows)

__all__ = [
    "BAD_VALUES", "BOOK_FILE", "BOOK_LABEL", "DataError", "GOOD_VALUES", "READERS", "check_label", "column_at",
    "is_jsonl", "jsonl_objects", "records", "label_key", "label_meanings", "label_series", "load_book", "load_data", "nest_dotted",
    "require_column", "row_place", "rows",
]
