"""Backtest books are read by :mod:`riskrules.data`; these names stay importable from here."""
from ..data import (BOOK_LABEL, READERS, DataError, check_label, label_series, load_book,  # noqa: F401
                    load_data, nest_dotted, require_column)
