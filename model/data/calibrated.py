"""The shipped calibration record (``calibration/calibrated_parameters.json``), read by the model.

It lives in the data layer: the behavioural parameters read it by default, and the calibration
package, which writes it, depends on the model, not the other way round.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

SCHEMA = "zonesim-calibration/1"


def default_path(data_dir: Path | str | None = None) -> Path:
    """``calibration/calibrated_parameters.json`` beside the data folder."""
    if data_dir is None:
        from zonesim.data.load import default_data_dir

        data_dir = default_data_dir()
    return Path(data_dir).parent / "calibrated_parameters.json"


def load_record(path: Path | str | None = None) -> dict[str, Any] | None:
    """The calibration record, or None when there is none."""
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def calibrated_overrides(
    data_dir: Path | str | None = None, data_version: str | None = None
) -> dict[str, float]:
    """Calibrated AgentParams values to apply by default (identified parameters only).

    Empty when no calibration file exists. Warns when the file was fitted to another data
    version than ``data_version`` (the values are still returned: rerun ``zonesim calibrate``).
    """
    record = load_record(default_path(data_dir))
    if record is None:
        return {}
    # a batch's technology-cost samples suffix the version ("<hash>+tech:..."): the behavioural
    # fit depends on the compiled tables only
    if data_version is not None and record.get("data_version") != data_version.split("+")[0]:
        warnings.warn(
            f"calibrated_parameters.json was fitted to data version {record.get('data_version')}, "
            f"the data are {data_version}: rerun `zonesim calibrate`",
            stacklevel=2,
        )
    return {k: float(v) for k, v in record.get("overrides", {}).items()}
