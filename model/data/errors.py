"""Errors raised for bad input data."""

from __future__ import annotations


class DataError(ValueError):
    """A compiled data table is missing, malformed, or inconsistent.

    The message names the file, and where known the column and row, and says what was
    expected, so that the fix is obvious without a traceback.
    """

    def __init__(
        self,
        file: str,
        message: str,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.file = file
        self.column = column
        self.row = row
        where = file
        if column is not None:
            where += f", column '{column}'"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {message}")
