"""Shared fixtures, and the hypothesis profile for CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# In CI (CI=true) property tests draw the same examples every run, so that a submission's
# result does not depend on chance; locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def base():
    """The shipped base-year data."""
    from zonesim.data import load

    return load()
