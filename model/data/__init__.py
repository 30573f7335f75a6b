"""Base-year data: the compiled tables of ``calibration/data`` and their contract."""

from zonesim.data.errors import DataError
from zonesim.data.load import BaseYear, default_data_dir, load, read_table

__all__ = ["BaseYear", "DataError", "default_data_dir", "load", "read_table"]
