"""Calibration of behavioural parameters to 2015-2020 city history (issue 6; calibration/RECIPE.md).

``zonesim calibrate`` or::

    from zonesim.calibration import reference, calibrate
    ref = reference()                 # the 2020 model run the backcast starts from
    result = calibrate(ref)           # fitted values, intervals, identifiability
"""

from zonesim.calibration.backcast import Backcast, Reference, observations, reference, run_backcast
from zonesim.calibration.fit import SPECS, calibrate
from zonesim.calibration.stats import calibrated_overrides, comparison, default_path, load_record, summary

__all__ = [
    "SPECS",
    "Backcast",
    "Reference",
    "calibrate",
    "calibrated_overrides",
    "comparison",
    "default_path",
    "load_record",
    "observations",
    "reference",
    "run_backcast",
    "summary",
]
