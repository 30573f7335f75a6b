"""Scenario batches: experiments, local process pool and Dask, a results store that resumes.

Notebook use::

    import zonesim.batch as zb
    summary = zb.run("experiments/lever_comparison.yaml", out="results/levers")
    data = zb.load("results/levers")          # tidy DataFrames: manifest, metrics, pathways, ...
    zb.compare(data)                           # lever comparison table
    zb.sensitivity(data)                       # Morris / Sobol indices (SALib)
    zb.discover(data)                          # PRIM boxes (ema_workbench)
"""

from __future__ import annotations

from zonesim.batch.analysis import BatchData, compare, discover, load, sensitivity, status_text
from zonesim.batch.execute import BatchSummary, run, run_one
from zonesim.batch.experiment import Experiment, ExperimentError, load_experiment

__all__ = [
    "BatchData",
    "BatchSummary",
    "Experiment",
    "ExperimentError",
    "compare",
    "discover",
    "load",
    "load_experiment",
    "run",
    "run_one",
    "sensitivity",
    "status_text",
]
