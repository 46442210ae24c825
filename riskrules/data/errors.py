"""The one error of the data readers: a file or column that cannot be used, said plainly."""
from __future__ import annotations


class DataError(Exception):
    """A data file or column that cannot be used.

    ``code`` is stable: ``data.missing_file``, ``data.extension``, ``data.empty``,
    ``data.unreadable``, ``data.missing_column``, ``data.column_type`` (also a label
    that does not say bad or good), ``data.column``.
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
