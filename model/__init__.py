"""zonesim: carbon and industrial transition in China's demonstration zones.

Quick start::

    import zonesim
    results = zonesim.run("scenarios/baseline.yaml")
    results.summary()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from zonesim.results import Results


def run(scenario: Any, out: Any = None, **kwargs: Any) -> Results:
    """Simulate a scenario (a Scenario or a YAML path); see :func:`zonesim.runner.run`."""
    from zonesim.runner import run as _run

    return _run(scenario, out=out, **kwargs)
