"""Scenario schema: shipped files validate, errors name file, line, field and value."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zonesim.cli import main
from zonesim.scenario import Levers, Scenario, ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_every_lever_family_has_a_scenario_and_combined_has_all():
    names = {f.stem for f in FILES}
    assert {"baseline", "combined"} <= names
    assert set(Levers.model_fields) <= names
    # combined: every lever of the 14th Five-Year period; combined_carbon adds carbon dual
    # control, which starts in 2026 (a lever starting after a 2021-2025 horizon is an error)
    combined = load_scenario(SCENARIOS / "combined.yaml")
    assert set(combined.levers.active()) == set(Levers.model_fields) - {"carbon_dual_control"}
    carbon = load_scenario(SCENARIOS / "combined_carbon.yaml")
    assert set(carbon.levers.active()) == set(Levers.model_fields)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_round_trip(path):
    scenario = load_scenario(path)
    again = Scenario.model_validate(scenario.model_dump())
    assert again == scenario
    assert again.hash() == scenario.hash()


def test_baseline_has_no_levers_and_single_lever_files_change_only_their_lever():
    base = load_scenario(SCENARIOS / "baseline.yaml")
    assert base.levers.active() == {}
    one = load_scenario(SCENARIOS / "carbon_price.yaml")
    assert list(one.levers.active()) == ["carbon_price"]
    assert one.horizon == base.horizon and one.seed == base.seed


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_lever_names_file_line_and_allowed(tmp_path):
    (tmp_path / "baseline.yaml").write_text((SCENARIOS / "baseline.yaml").read_text())
    path = _write(tmp_path, "extends: baseline.yaml\nname: x\nlevers:\n  coal_reductoin: {}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert str(path) in msg and "line 4" in msg
    assert "levers.coal_reductoin" in msg and "coal_reduction" in msg


def test_out_of_range_value_names_field_and_value(tmp_path):
    (tmp_path / "baseline.yaml").write_text((SCENARIOS / "baseline.yaml").read_text())
    text = (
        "extends: baseline.yaml\nname: x\nlevers:\n  pv_storage:\n"
        "    storage_power_ratio: 1.5\n    storage_duration_h: 2\n    land_classes: [general]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path, text))
    msg = str(err.value)
    assert "levers.pv_storage.storage_power_ratio" in msg and "1.5" in msg and "line 5" in msg


def test_extends_cycle_and_missing_parent(tmp_path):
    _write(tmp_path, "extends: b.yaml\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(_write(tmp_path, "extends: nowhere.yaml\n"))


def test_override_changes_only_what_it_names():
    s = load_scenario(SCENARIOS / "baseline.yaml", seed=7)
    assert s.seed == 7
    assert s.hash() != load_scenario(SCENARIOS / "baseline.yaml").hash()


def test_validate_cli_reports_ok_and_errors(tmp_path, capsys):
    assert main(["validate", str(SCENARIOS / "baseline.yaml")]) == 0
    assert "ok:" in capsys.readouterr().out
    bad = _write(tmp_path, "name: [unclosed\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not valid YAML" in err and "Traceback" not in err


# -- hypothesis: any malformed file gives ScenarioError, never another exception ------------
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "name",
        "seed",
        "horizon",
        "selection",
        "accounting",
        "planner",
        "firms",
        "levers",
        "bogus",
        "extends",
    ]
)


def _mutations():
    valid = yaml.safe_load((SCENARIOS / "combined.yaml").read_text())
    valid.pop("extends")
    base = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text())
    full = {**base, **valid, "levers": valid["levers"]}
    paths = []

    def walk(d, prefix):
        for k, v in d.items():
            paths.append((*prefix, k))
            if isinstance(v, dict):
                walk(v, (*prefix, k))

    walk(full, ())
    return full, paths


FULL, PATHS = _mutations()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=_values, extra=st.dictionaries(_keys, _values, max_size=2))
def test_malformed_scenarios_raise_scenario_error(tmp_path, path, value, extra):
    import copy

    data = copy.deepcopy(FULL)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    data.update(extra)
    target = tmp_path / "m.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_scenario(target)
    except ScenarioError as exc:
        assert str(target) in str(exc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_arbitrary_text_never_raises_other_exceptions(tmp_path, text):
    target = tmp_path / "t.yaml"
    target.write_text(text, encoding="utf-8")
    with contextlib.suppress(ScenarioError):
        load_scenario(target)
