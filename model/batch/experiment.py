"""Experiment files: what a batch varies, validated like scenario files.

An experiment names a base scenario and what varies around it:

* ``mixes``: named lever mixes, each a scenario file (with optional overrides);
* ``grid``: lever (or any scenario) parameters on a full factorial grid, by dotted path;
* ``uncertain``: sampled inputs, each with a distribution, acting on a behavioural parameter
  (``agent.<name>``), a technology-cost factor (``tech.<tech>.<parameter>``) or a scenario
  setting (``scenario.<dotted.path>``);
* ``design``: ``grid``, ``monte_carlo``, ``morris`` or ``sobol`` (SALib);
* ``replications``: seeds per design point; ``outputs``: tables kept and analysis settings.

Errors never surface as a traceback: :func:`load_experiment` raises :class:`ExperimentError`
(a :class:`~zonesim.scenario.ScenarioError`) naming the file, line, field, value and what is
allowed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from zonesim.scenario import ScenarioError, _line_of, _merge, _read_yaml, load_scenario


class ExperimentError(ScenarioError):
    """An experiment file is missing, malformed or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TABLES = ("pathways", "investments", "plans", "zones")
"""Result tables a batch can keep per run (``metrics`` is always kept)."""

METRICS = (
    "gap_pp",
    "intensity_change_pct",
    "intensity_target_pct",
    "met",
    "cost_cum_bn",
    "capex_cum_bn",
    "co2_cum_t",
    "co2_end_t",
    "coal_cum_tce",
    "coal_end_tce",
    "energy_end_tce",
    "nonfossil_share_end",
)
"""Per-run outputs computed for each city, zone and all zones (see :mod:`zonesim.batch.metrics`);
``marginal_<target>`` and ``slack_<target>`` (planner duals and slacks) are added when targets bind."""


class Mix(_Strict):
    """A lever mix: a scenario file and optional overrides merged on top of it."""

    scenario: str = Field(description="Scenario file, relative to the experiment file")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Scenario settings merged on top")


class Uncertain(_Strict):
    """An uncertain input: where it acts and its distribution.

    ``target`` forms: ``agent.<name>`` (a behavioural parameter of agent_parameters.csv, the value
    replaces it), ``tech.<tech>.<parameter>`` (a factor multiplying that technologies.csv value in
    every year), ``scenario.<dotted.path>`` (a scenario setting, e.g.
    ``scenario.levers.carbon_price.path.2025``). A list applies the same value to every target.
    """

    target: str | list[str] = Field(description="Where the value acts (see above)")
    dist: Literal["uniform", "triangular", "normal", "lognormal"] = Field(description="Distribution")
    bounds: tuple[float, float] | None = Field(
        default=None, description="uniform/triangular: [low, high]; normal: optional truncation"
    )
    mode: float | None = Field(default=None, description="triangular: most likely value")
    mean: float | None = Field(default=None, description="normal: mean")
    sd: float | None = Field(default=None, gt=0, description="normal: standard deviation")
    median: float | None = Field(default=None, gt=0, description="lognormal: median")
    sigma: float | None = Field(default=None, gt=0, description="lognormal: sigma of log")
    unit: str = Field(default="", description="Unit of the value (documentation)")

    @property
    def targets(self) -> list[str]:
        return [self.target] if isinstance(self.target, str) else list(self.target)

    @model_validator(mode="after")
    def _parameters(self) -> Uncertain:
        need = {
            "uniform": ("bounds",),
            "triangular": ("bounds", "mode"),
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
        }[self.dist]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"dist {self.dist!r} needs {', '.join(need)}; missing: {', '.join(missing)}")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds {list(self.bounds)}: expected [low, high] with low < high")
        if self.dist == "triangular" and not self.bounds[0] <= self.mode <= self.bounds[1]:
            raise ValueError(f"mode {self.mode} outside bounds {list(self.bounds)}")
        for t in self.targets:
            if not t.startswith(("agent.", "tech.", "scenario.")) or t.count(".") < 1:
                raise ValueError(
                    f"target {t!r}: expected 'agent.<name>', 'tech.<tech>.<parameter>' or "
                    "'scenario.<dotted.path>'"
                )
            if t.startswith("tech.") and t.count(".") != 2:
                raise ValueError(f"target {t!r}: expected 'tech.<tech>.<parameter>'")
        return self

    def ppf(self, q: Any) -> Any:
        """Values at quantiles ``q`` (unit hypercube -> distribution). Unbounded tails clipped at 0.1 %."""
        import numpy as np
        from scipy import stats

        q = np.asarray(q, dtype=float)
        if self.dist == "uniform":
            lo, hi = self.bounds
            return lo + q * (hi - lo)
        if self.dist == "triangular":
            lo, hi = self.bounds
            return stats.triang.ppf(q, (self.mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if self.dist == "normal":
            if self.bounds is not None:
                a, b = ((x - self.mean) / self.sd for x in self.bounds)
                return stats.truncnorm.ppf(q, a, b, loc=self.mean, scale=self.sd)
            return stats.norm.ppf(np.clip(q, 1e-3, 1 - 1e-3), loc=self.mean, scale=self.sd)
        return stats.lognorm.ppf(np.clip(q, 1e-3, 1 - 1e-3), self.sigma, scale=self.median)

    def nominal(self) -> float:
        """The median value (used to check the target accepts a value)."""
        return float(self.ppf(0.5))


class Design(_Strict):
    """How the uncertain inputs are sampled (lever grids and mixes are always crossed in full)."""

    method: Literal["grid", "monte_carlo", "morris", "sobol"] = Field(description="Design")
    samples: Annotated[int, Field(ge=1)] = Field(
        default=1,
        description="monte_carlo: points; morris: trajectories (runs = samples*(k+1)); "
        "sobol: base N, a power of 2 (runs = N*(k+2), or N*(2k+2) with second_order)",
    )
    seed: Annotated[int, Field(ge=0)] = Field(default=0, description="Seed of the sampler")
    levels: Annotated[int, Field(ge=2)] = Field(default=4, description="morris: grid levels")
    second_order: bool = Field(default=False, description="sobol: also second-order indices")


class Discovery(_Strict):
    """Scenario discovery (PRIM): which inputs reach the targets in enough replications."""

    share: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.8, description="Share of replications in which the targets must be met"
    )
    level: Literal["all", "zone", "city"] = Field(
        default="all", description="Targets met by all zones together, or by every zone / city"
    )
    threshold: Annotated[float, Field(gt=0, le=1)] = Field(default=0.8, description="PRIM density threshold")


class Outputs(_Strict):
    """What a batch keeps and which outputs the analysis uses."""

    tables: list[Literal["pathways", "investments", "plans", "zones"]] = Field(
        default_factory=lambda: ["pathways", "investments", "plans"],
        description="Result tables kept per run (metrics are always kept)",
    )
    sensitivity: list[str] = Field(
        default_factory=lambda: ["gap_pp", "co2_cum_t", "cost_cum_bn"],
        description=f"Metrics (all zones) for Morris/Sobol indices; allowed: {list(METRICS)}",
    )
    discovery: Discovery = Field(default_factory=Discovery)

    @model_validator(mode="after")
    def _known(self) -> Outputs:
        bad = [m for m in self.sensitivity if m not in METRICS and not m.startswith(("marginal_", "slack_"))]
        if bad:
            raise ValueError(f"unknown metric(s) {bad}; allowed: {list(METRICS)}")
        return self


class Experiment(_Strict):
    """A validated experiment."""

    name: str = Field(min_length=1, description="Experiment name")
    description: str = Field(default="", description="What the experiment asks")
    base: str = Field(description="Base scenario file, relative to the experiment file")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Scenario settings merged into every run (e.g. planner)"
    )
    mixes: dict[str, Mix] = Field(
        default_factory=dict, description="Named lever mixes; empty = the base scenario alone"
    )
    grid: dict[str, list[Any]] = Field(
        default_factory=dict, description="Scenario settings by dotted path, each a list of values"
    )
    uncertain: dict[str, Uncertain] = Field(default_factory=dict, description="Sampled inputs by name")
    design: Design = Field(default_factory=lambda: Design(method="grid"))
    replications: Annotated[int, Field(ge=1, le=10_000)] = Field(default=1, description="Seeds per point")
    seed_start: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Seed of replication 0 (then +1 each); default: the scenario's seed"
    )
    outputs: Outputs = Field(default_factory=Outputs)
    source: str = Field(default="", exclude=True, description="(set on load) the experiment file")

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if self.design.method == "grid" and self.uncertain:
            raise ValueError("design 'grid' samples nothing: remove 'uncertain' or choose another method")
        if self.design.method in ("morris", "sobol", "monte_carlo") and not self.uncertain:
            raise ValueError(f"design {self.design.method!r} needs at least one 'uncertain' input")
        if self.design.method == "sobol" and self.design.samples & (self.design.samples - 1):
            raise ValueError(f"sobol: samples {self.design.samples} must be a power of 2 (e.g. 64, 128)")
        for key, values in self.grid.items():
            if not values:
                raise ValueError(f"grid {key!r}: empty list of values")
        return self

    def hash(self) -> str:
        """Content hash of the experiment (without its file location)."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def folder(self) -> Path:
        return Path(self.source).parent if self.source else Path.cwd()

    def path_of(self, file: str) -> Path:
        """A scenario file named in the experiment, resolved against the experiment's folder."""
        return (self.folder / file).resolve()

    def mix_items(self) -> list[tuple[str, Mix]]:
        """The lever mixes; the base scenario alone (named after it) when none are given."""
        if self.mixes:
            return list(self.mixes.items())
        return [(Path(self.base).stem, Mix(scenario=self.base))]


def dotted(path: str) -> tuple[Any, ...]:
    """Split a dotted path; numeric parts (years) become ints."""
    return tuple(int(p) if p.lstrip("-").isdigit() else p for p in path.split("."))


def nest(path: str | tuple[Any, ...], value: Any) -> dict[str, Any]:
    """``nest("a.b.2025", 1) == {"a": {"b": {2025: 1}}}``."""
    parts = dotted(path) if isinstance(path, str) else path
    out: Any = value
    for part in reversed(parts):
        out = {part: out}
    return out


def _explain(exc: ValidationError, path: Path, tree: Any) -> ExperimentError:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(tree, loc)
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if err["type"] == "extra_forbidden":
            allowed = _allowed_fields(loc[:-1])
            msg = "unknown field" + (f"; allowed: {allowed}" if allowed else "; check the spelling")
        elif err["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = f"got {shown}: {err['msg']}"
        lines.append(f"{path}{f', line {line}' if line else ''}: field '{field}': {msg}")
    return ExperimentError("\n".join(lines))


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Experiment
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        fields = getattr(model, "model_fields", {})
        if part in fields:
            ann = fields[part].annotation
            model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
            if model is None and part in ("mixes",):
                model = Mix
            elif model is None and part in ("uncertain",):
                model = Uncertain
    return sorted(getattr(model, "model_fields", {})) if model is not None else []


def _fail(path: Path, tree: Any, loc: tuple[Any, ...], value: Any, msg: str) -> ExperimentError:
    line = _line_of(tree, loc)
    field = ".".join(str(p) for p in loc)
    return ExperimentError(f"{path}{f', line {line}' if line else ''}: field '{field}': got {value!r}: {msg}")


def _check_targets(exp: Experiment, path: Path, tree: Any) -> None:
    """Every scenario file, grid path and uncertain target must accept a value."""
    from zonesim.agents.params import AgentParams
    from zonesim.data import load

    for name, mix in exp.mix_items():
        loc = ("mixes", name, "scenario") if exp.mixes else ("base",)
        file = exp.path_of(mix.scenario)
        if not file.is_file():
            raise _fail(
                path,
                tree,
                loc,
                mix.scenario,
                f"file {str(file)!r} not found (paths are relative to the experiment file)",
            )
    if not exp.path_of(exp.base).is_file():
        raise _fail(
            path, tree, ("base",), exp.base, "scenario file not found (relative to the experiment file)"
        )

    agent_names = set(AgentParams.__dataclass_fields__)
    tech = None
    for name, unc in exp.uncertain.items():
        for t in unc.targets:
            loc = ("uncertain", name, "target")
            kind, _, rest = t.partition(".")
            if kind == "agent" and rest not in agent_names:
                raise _fail(
                    path, tree, loc, t, f"unknown behavioural parameter; allowed: {sorted(agent_names)}"
                )
            if kind == "tech":
                if tech is None:
                    tech = load().tables["technologies"]
                tname, param = rest.split(".")
                if not ((tech["tech"] == tname) & (tech["parameter"] == param)).any():
                    pairs = sorted({f"{a}.{b}" for a, b in zip(tech["tech"], tech["parameter"], strict=True)})
                    raise _fail(path, tree, loc, t, f"no such technology parameter; allowed: {pairs}")

    # one trial scenario per mix with every grid value and uncertain scenario target at its median
    checks: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for key, values in exp.grid.items():
        for v in values:
            checks.append((("grid", key), nest(key, v)))
    for name, unc in exp.uncertain.items():
        for t in unc.targets:
            if t.startswith("scenario."):
                for q in (0.0, 0.5, 1.0):
                    value = float(unc.ppf(q))
                    checks.append((("uncertain", name, "target"), nest(t[len("scenario.") :], value)))
    for _name, mix in exp.mix_items():
        file = exp.path_of(mix.scenario)
        common = _merge(exp.settings, mix.overrides)
        try:
            load_scenario(file, **common)
        except ScenarioError as exc:
            raise ExperimentError(
                f"{path}: settings/overrides of mix scenario {file.name} are invalid:\n{exc}"
            ) from None
        for loc, over in checks:
            try:
                load_scenario(file, **_merge(common, over))
            except ScenarioError as exc:
                raise ExperimentError(
                    f"{path}, line {_line_of(tree, loc)}: field '{'.'.join(map(str, loc))}': value not "
                    f"accepted by scenario {file.name}:\n{exc}"
                ) from None


def load_experiment(path: str | Path, check: bool = True) -> Experiment:
    """Read and validate an experiment file; ``check`` also tries every target on the scenarios."""
    path = Path(path).resolve()
    try:
        data, tree = _read_yaml(path)
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    try:
        exp = Experiment.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        raise _explain(exc, path, tree) from None
    if check:
        _check_targets(exp, path, tree)
    return exp
