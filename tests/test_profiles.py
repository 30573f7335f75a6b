"""Tests of the compiled hourly profiles and of representative-day selection.

Tolerances for ``representative_days`` without rescaling are the measured worst cases on
the shipped profiles (all 19 provinces) rounded up; medoid days do not keep annual means
exactly, and the synthetic wind is the noisiest series (see zonesim.data.days).
"""

from __future__ import annotations

import dataclasses
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zonesim.data.days import RepresentativeDays, representative_days
from zonesim.data.load import default_data_dir, read_table
from zonesim.data.schema import TABLES

NEEDED = {
    "LN", "JL", "NM", "HE", "SX", "SD", "AH", "HB", "HN", "CQ",
    "SC", "NX", "BJ", "HL", "JS", "JX", "HA", "GD", "GZ",
}  # fmt: skip
SERIES = ("load_pu", "solar_cf", "wind_cf")
META_SERIES = {"load_pu": "load", "solar_cf": "solar", "wind_cf": "wind"}

# |weighted mean / annual mean - 1| without rescaling, worst province (measured max):
# D=4: load 0.044, solar 0.28, wind 0.29; D=8: 0.026, 0.17, 0.18; D=12: 0.026, 0.08, 0.15.
MEAN_TOL = {
    4: {"load_pu": 0.05, "solar_cf": 0.30, "wind_cf": 0.32},
    8: {"load_pu": 0.03, "solar_cf": 0.18, "wind_cf": 0.20},
    12: {"load_pu": 0.03, "solar_cf": 0.10, "wind_cf": 0.17},
}
RESCALED_TOL = 1e-9


@pytest.fixture(scope="module")
def profiles() -> pd.DataFrame:
    return read_table("profiles")


@pytest.fixture(scope="module")
def meta() -> pd.DataFrame:
    return read_table("profile_meta")


@pytest.fixture(scope="module")
def hebei(profiles: pd.DataFrame) -> pd.DataFrame:
    return profiles[profiles["province_code"] == "HE"].drop(columns="province_code")


def one(profiles: pd.DataFrame, code: str) -> pd.DataFrame:
    return profiles[profiles["province_code"] == code].reset_index(drop=True)


def year_array(p: pd.DataFrame) -> np.ndarray:
    return p.sort_values("hour")[list(SERIES)].to_numpy().reshape(365, 24, 3)


# --- compiled tables ----------------------------------------------------------------------


def test_files_follow_schema_column_order() -> None:
    data = default_data_dir()
    for name in ("profiles", "profile_meta"):
        table = TABLES[name]
        head = pd.read_csv(data / table.file, nrows=0).columns.tolist()
        assert head == list(table.column_names), name


def test_estimate_written_true_false() -> None:
    raw = pd.read_csv(default_data_dir() / "profile_meta.csv", dtype=str)
    assert set(raw["estimate"]) <= {"true", "false"}
    assert raw["source"].str.strip().ne("").all()
    assert raw["method"].str.strip().ne("").all()


def test_every_needed_province_has_8760_hours(profiles: pd.DataFrame) -> None:
    assert set(profiles["province_code"]) >= NEEDED
    for code, g in profiles.groupby("province_code"):
        assert sorted(g["hour"]) == list(range(8760)), code


def test_values_in_range(profiles: pd.DataFrame) -> None:
    for col in ("solar_cf", "wind_cf"):
        assert profiles[col].between(0.0, 1.0).all(), col
    assert (profiles["load_pu"] > 0).all()
    assert profiles[list(SERIES)].notna().all().all()


def test_load_mean_is_one(profiles: pd.DataFrame) -> None:
    means = profiles.groupby("province_code")["load_pu"].mean()
    np.testing.assert_allclose(means.to_numpy(), 1.0, rtol=0, atol=1e-9)


def test_solar_is_zero_at_night(profiles: pd.DataFrame) -> None:
    night = profiles["hour"] % 24 < 4  # 00:00-04:00 China Standard Time
    assert (profiles.loc[night, "solar_cf"] == 0).all()
    noon = profiles["hour"] % 24 == 12
    assert (profiles.loc[noon].groupby("province_code")["solar_cf"].mean() > 0.2).all()


def test_meta_rows_and_provenance(meta: pd.DataFrame, profiles: pd.DataFrame) -> None:
    codes = set(profiles["province_code"])
    assert set(meta["province_code"]) == codes
    assert len(meta) == 3 * len(codes)
    for _, row in meta.iterrows():
        if row["series"] == "load":
            assert not row["estimate"]
            assert np.isnan(row["full_load_hours"])
            assert "2018" in row["method"]
        else:
            assert row["estimate"]
            assert "synthetic" in row["method"].lower()
            assert 500 < row["full_load_hours"] < 3500


def test_full_load_hours_match_meta(profiles: pd.DataFrame, meta: pd.DataFrame) -> None:
    sums = profiles.groupby("province_code")[["solar_cf", "wind_cf"]].sum()
    for _, row in meta[meta["series"] != "load"].iterrows():
        col = f"{row['series']}_cf"
        got = sums.loc[row["province_code"], col]
        assert got == pytest.approx(row["full_load_hours"], rel=1e-6), (row["province_code"], col)


def test_profiles_file_is_small() -> None:
    path = default_data_dir() / "profiles.csv.gz"
    assert path.stat().st_size < 2_000_000
    with gzip.open(path, "rt") as f:
        f.readline()
        value = f.readline().strip().split(",")[2]
    assert len(value.split(".")[-1]) <= 4  # at most 4 decimals


# --- representative days ------------------------------------------------------------------


@pytest.mark.parametrize("n_days", [4, 8, 12])
def test_weights_and_shapes(hebei: pd.DataFrame, n_days: int) -> None:
    rd = representative_days(hebei, n_days)
    assert isinstance(rd, RepresentativeDays)
    assert rd.weights.shape == (n_days,) and rd.day_of_year.shape == (n_days,)
    for s in SERIES:
        assert getattr(rd, s).shape == (n_days, 24)
    assert rd.weights.sum() == 365 and (rd.weights > 0).all()
    assert np.issubdtype(rd.weights.dtype, np.integer)
    assert (np.diff(rd.day_of_year) > 0).all()  # sorted, distinct
    assert rd.day_of_year.min() >= 1 and rd.day_of_year.max() <= 365


@pytest.mark.parametrize("n_days", [4, 8, 12])
def test_days_are_real_and_peak_kept(profiles: pd.DataFrame, n_days: int) -> None:
    for code in sorted(NEEDED):
        p = one(profiles, code)
        year = year_array(p)
        rd = representative_days(p, n_days)
        for i, s in enumerate(SERIES):
            np.testing.assert_array_equal(getattr(rd, s), year[rd.day_of_year - 1, :, i])
        peak_day = int(np.argmax(year[:, :, 0].max(axis=1))) + 1
        assert peak_day in rd.day_of_year, code
        assert rd.weights[list(rd.day_of_year).index(peak_day)] == 1
        assert rd.load_pu.max() == year[:, :, 0].max()


@pytest.mark.parametrize("n_days", [4, 8, 12])
def test_weighted_means_close_to_annual(profiles: pd.DataFrame, n_days: int) -> None:
    for code in sorted(NEEDED):
        p = one(profiles, code)
        rd = representative_days(p, n_days)
        for s in SERIES:
            rep = rd.weights @ getattr(rd, s).mean(axis=1) / 365
            assert rep == pytest.approx(p[s].mean(), rel=MEAN_TOL[n_days][s]), (code, s)


@pytest.mark.parametrize("n_days", [1, 4, 12])
def test_rescale_keeps_means_peak_and_bounds(profiles: pd.DataFrame, n_days: int) -> None:
    for code in ("NM", "CQ", "HE"):
        p = one(profiles, code)
        year = year_array(p)
        rd = representative_days(p, n_days, rescale=True)
        peak_day = int(np.argmax(year[:, :, 0].max(axis=1))) + 1
        for i, s in enumerate(SERIES):
            series = getattr(rd, s)
            rep = rd.weights @ series.mean(axis=1) / 365
            assert rep == pytest.approx(p[s].mean(), rel=RESCALED_TOL), (code, s)
            assert series.min() >= 0
            if s != "load_pu":
                assert series.max() <= 1.0
            real = year[rd.day_of_year - 1, :, i]
            if n_days > 1:  # the peak day is returned as it is
                j = list(rd.day_of_year).index(peak_day)
                np.testing.assert_array_equal(series[j], real[j])
                series, real = np.delete(series, j, axis=0), np.delete(real, j, axis=0)
            # the same shape: one factor per series on the uncapped hours
            mask = (real > 1e-3) & (series < (1.0 if s != "load_pu" else year[:, :, 0].max()))
            ratio = series[mask] / real[mask]
            assert ratio.std() < 1e-9 * ratio.mean() + 1e-12
        if n_days > 1:
            assert rd.load_pu.max() == year[:, :, 0].max()


def test_full_year_reproduced_exactly(hebei: pd.DataFrame) -> None:
    for rescale in (False, True):
        rd = representative_days(hebei, 365, rescale=rescale)
        year = year_array(hebei)
        np.testing.assert_array_equal(rd.weights, np.ones(365))
        np.testing.assert_array_equal(rd.day_of_year, np.arange(1, 366))
        for i, s in enumerate(SERIES):
            np.testing.assert_array_equal(getattr(rd, s), year[:, :, i])


def test_one_day_is_the_year_medoid(hebei: pd.DataFrame) -> None:
    rd = representative_days(hebei, 1)
    assert rd.weights.tolist() == [365]


def test_deterministic_and_row_order_free(hebei: pd.DataFrame) -> None:
    a = representative_days(hebei, 8)
    b = representative_days(hebei, 8, seed=123)
    shuffled = hebei.sample(frac=1.0, random_state=1)
    c = representative_days(shuffled, 8)
    for other in (b, c):
        for f in dataclasses.fields(RepresentativeDays):
            np.testing.assert_array_equal(getattr(a, f.name), getattr(other, f.name))


def test_result_is_immutable(hebei: pd.DataFrame) -> None:
    rd = representative_days(hebei, 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rd.weights = np.ones(4)  # type: ignore[misc]
    with pytest.raises(ValueError):
        rd.load_pu[0, 0] = 5.0


@pytest.mark.parametrize("n_days", [0, 366, -3, 2.5, True, "8", None])
def test_bad_n_days(hebei: pd.DataFrame, n_days: object) -> None:
    with pytest.raises(ValueError, match="n_days"):
        representative_days(hebei, n_days)  # type: ignore[arg-type]


def test_bad_profiles(hebei: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing \\['wind_cf'\\]"):
        representative_days(hebei.drop(columns="wind_cf"), 4)
    with pytest.raises(ValueError, match="8760 rows"):
        representative_days(hebei.iloc[:-1], 4)
    with pytest.raises(ValueError, match="8760 rows"):
        representative_days(pd.concat([hebei, hebei]), 4)
    dup = hebei.copy()
    dup.loc[dup.index[5], "hour"] = 4
    with pytest.raises(ValueError, match="0..8759 exactly once"):
        representative_days(dup, 4)
    nan = hebei.copy()
    nan.loc[nan.index[100], "solar_cf"] = np.nan
    with pytest.raises(ValueError, match="solar_cf"):
        representative_days(nan, 4)
    with pytest.raises(ValueError, match="DataFrame"):
        representative_days(hebei.to_numpy(), 4)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(n_days=st.integers(min_value=1, max_value=30))
def test_weights_are_positive_integers_summing_to_365(hebei: pd.DataFrame, n_days: int) -> None:
    rd = representative_days(hebei, n_days)
    assert rd.weights.shape == (n_days,)
    assert np.issubdtype(rd.weights.dtype, np.integer)
    assert (rd.weights >= 1).all()
    assert int(rd.weights.sum()) == 365
    assert len(set(rd.day_of_year.tolist())) == n_days
