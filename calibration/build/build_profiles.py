"""Build the hourly profile tables ``profiles.csv.gz`` and ``profile_meta.csv``.

Reads public raw data from ``shared/data/raw`` (never read by the model at run time) and
writes, for every province that holds a demonstration zone or an associated city, 8760
hourly values of

* ``load_pu``  -- NDRC 2018 provincial hourly demand (via PyPSA-China-PIK) / annual mean;
* ``solar_cf`` -- SYNTHETIC fixed-tilt PV capacity factor: pvlib Ineichen clear sky at the
  zone city, a seeded day-to-day clearness factor, Erbs decomposition, Hay-Davies
  transposition, scaled to the provincial full-load hours (2020, Jan-Nov figure extended
  to the full year by the profile's own December share);
* ``wind_cf``  -- SYNTHETIC wind capacity factor: seeded AR(1) Gaussian process mapped to
  Weibull wind speeds, seasonal and diurnal modulation, a fleet-smoothed generic power
  curve, scaled to the provincial 2020 wind utilisation hours.

Everything is deterministic (fixed seeds, gzip mtime 0): rerunning gives identical bytes.
The method is documented in ``calibration/data/SOURCES-profiles.md``.

Usage::

    .venv/bin/python calibration/build/build_profiles.py [--raw DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import zlib
from dataclasses import dataclass
from pathlib import Path

import common
import numpy as np
import pandas as pd
import pvlib
from common import const, source
from scipy import optimize, stats

DEFAULT_RAW, DEFAULT_OUT = common.DEFAULT_RAW, common.DEFAULT_OUT

HOURS = 8760
YEAR = 2018  # calendar of the load data (a non-leap year; 1 Jan 2018 was a Monday)
TZ = "Asia/Shanghai"  # China Standard Time, UTC+8, no DST; the load data are in CST
DECIMALS = 4

BASE_SEED = 20200  # every random stream is SeedSequence([BASE_SEED, crc32(code), stream])
SOLAR_STREAM = 1
WIND_STREAM = 2

# --- solar and wind assumptions: rows of sources/constants.csv -----------------------------
PV_AZIMUTH = const("pv_azimuth_deg")
ALBEDO = const("pv_albedo")
PERFORMANCE_RATIO = const("pv_performance_ratio")  # only used to set the mean of the clearness factor
CLEARNESS_KAPPA = const("clearness_kappa")  # Beta concentration alpha + beta of the daily clearness
CLEARNESS_RHO = const("clearness_rho")  # day-to-day AR(1) correlation of the clearness factor
CLEARNESS_MEAN_BOUNDS = (const("clearness_mean_min"), const("clearness_mean_max"))
WIND_RHO = const("wind_rho")  # hourly AR(1) correlation of the Gaussian driver
WEIBULL_K = const("wind_weibull_k")
SEASON_AMPLITUDE = const("wind_season_amplitude")
SEASON_PEAK_DOY = int(const("wind_season_peak_day"))
DIURNAL_AMPLITUDE = const("wind_diurnal_amplitude")
DIURNAL_PEAK_HOUR = int(const("wind_diurnal_peak_hour"))
CUT_IN, RATED, CUT_OUT = const("wind_cut_in_speed"), const("wind_rated_speed"), const("wind_cut_out_speed")

SRC_LOAD = (
    "NDRC 2018 provincial hourly demand as compiled in PyPSA-China-PIK "
    "(pik-piam/PyPSA-China-PIK resources/data/load/"
    "Hourly_demand_of_31_province_China_modified_V2.1.csv; doi:10.5281/zenodo.8322210)"
)
SRC_HOURS = (
    "CEC/NEA provincial utilisation hours via the Wind database, extracted in "
    "Yumanlou/jinmeng-transition data/wind_grid_absorption/"
    "wind_grid_absorption_annual_2000_2023.csv (commit eec31877)"
)
SRC_PV = "pvlib 0.16 (Ineichen clear sky, Erbs, Hay-Davies); " + SRC_HOURS
SRC_WIND = "Synthetic; smoothed power curve after Staffell & Pfenninger (2016) Energy 114:1224; " + SRC_HOURS


@dataclass(frozen=True)
class Site:
    """A province and the zone city whose coordinates stand for it."""

    code: str  # PyPSA-China two-letter code
    name: str  # province name as in the utilisation-hours file
    city: str
    lat: float
    lon: float
    altitude_m: float


# Representative site per province (sources/profile_sites.csv, with its source): the
# (first-listed) zone member city, or the associated city where that is the only reason the
# province is in the model. Profile shape is insensitive to errors of a few km.
SITES: tuple[Site, ...] = tuple(
    Site(r.code, r.name, r.city, float(r.lat), float(r.lon), float(r.altitude_m))
    for r in source("profile_sites").itertuples()
)


def stream(code: str, which: int) -> np.random.Generator:
    """The seeded random generator of one province and series."""
    return np.random.default_rng(np.random.SeedSequence([BASE_SEED, zlib.crc32(code.encode()), which]))


def gaussian_ar1(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    """A stationary standard-normal AR(1) series of length n."""
    eps = rng.standard_normal(n)
    z = np.empty(n)
    z[0] = eps[0]
    s = np.sqrt(1.0 - rho * rho)
    for t in range(1, n):
        z[t] = rho * z[t - 1] + s * eps[t]
    return z


def scale_to_hours(shape: np.ndarray, hours: float) -> np.ndarray:
    """Return min(1, s * shape) with s chosen so that its sum equals ``hours``."""
    if not 0 < hours < np.count_nonzero(shape > 0):
        raise ValueError(f"cannot reach {hours} full-load hours with this shape")

    def gap(s: float) -> float:
        return float(np.minimum(1.0, s * shape).sum() - hours)

    hi = 1.0
    while gap(hi) < 0:
        hi *= 2.0
    s = optimize.brentq(gap, 0.0, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    return np.minimum(1.0, s * shape)


def round_preserving_sum(x: np.ndarray, total: float, decimals: int = DECIMALS) -> np.ndarray:
    """Round to ``decimals`` so that the rounded values sum exactly to ``total``.

    Largest-remainder rounding on a grid of 10**-decimals: floor everything, then add one
    grid step to the values with the largest remainders (ties to the earlier hour).
    ``total`` must itself lie on the grid. Values never rise above ceil(x), so a series
    in [0, 1] stays in [0, 1].
    """
    unit = 10**decimals
    scaled = x * unit
    floor = np.floor(scaled + 1e-9)
    need = round(total * unit) - int(floor.sum())
    if not 0 <= need <= len(x):
        raise ValueError(f"cannot round to total {total}: need {need} steps")
    rem = scaled - floor
    order = np.argsort(-rem, kind="stable")
    floor[order[:need]] += 1
    return floor / unit


def times_mid_hour() -> pd.DatetimeIndex:
    """Mid-points of the 8760 hours of YEAR in China Standard Time."""
    start = pd.Timestamp(f"{YEAR}-01-01 00:30", tz=TZ)
    return pd.date_range(start, periods=HOURS, freq="h")


def optimal_tilt(lat: float) -> float:
    """Annual-optimum fixed tilt, Jacobson & Jadhav (2018) Solar Energy 169:55, fit for N."""
    return 1.3793 + lat * (1.2011 + lat * (-0.014404 + lat * 0.000080509))


def solar_shape(site: Site, jan_nov_hours: float) -> tuple[np.ndarray, dict[str, float]]:
    """Unscaled plane-of-array irradiance / 1000 W/m2 with synthetic cloudiness."""
    times = times_mid_hour()
    loc = pvlib.location.Location(site.lat, site.lon, tz=TZ, altitude=site.altitude_m)
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
    dni_extra = pvlib.irradiance.get_extra_radiation(times)
    tilt = optimal_tilt(site.lat)

    def poa(ghi: pd.Series, dni: pd.Series, dhi: pd.Series) -> np.ndarray:
        irr = pvlib.irradiance.get_total_irradiance(
            tilt,
            PV_AZIMUTH,
            sp["apparent_zenith"],
            sp["azimuth"],
            dni,
            ghi,
            dhi,
            dni_extra=dni_extra,
            albedo=ALBEDO,
            model="haydavies",
        )
        return np.nan_to_num(irr["poa_global"].to_numpy(), nan=0.0).clip(min=0.0)

    poa_cs = poa(cs["ghi"], cs["dni"], cs["dhi"])
    jan_nov = times.month <= 11
    # Mean daily clearness from how far the published hours fall below clear-sky potential.
    implied = jan_nov_hours / (PERFORMANCE_RATIO * poa_cs[jan_nov].sum() / 1000.0)
    mean_k = float(np.clip(implied, *CLEARNESS_MEAN_BOUNDS))
    a, b = mean_k * CLEARNESS_KAPPA, (1.0 - mean_k) * CLEARNESS_KAPPA
    z = gaussian_ar1(stream(site.code, SOLAR_STREAM), HOURS // 24, CLEARNESS_RHO)
    k_day = stats.beta.ppf(stats.norm.cdf(z), a, b)
    # No monthly cloud data: remove the sampling noise of the monthly means so that the
    # seasonal cycle (and the December share used below) follows clear sky, and the draws
    # only add day-to-day variability. Capped at 1 (a clear day).
    month = times.month.to_numpy()[::24]
    for m in range(1, 13):
        sel = month == m
        k_day[sel] *= mean_k / k_day[sel].mean()
    k_day = np.minimum(k_day, 1.0)
    k_hour = np.repeat(k_day, 24)

    ghi = cs["ghi"] * k_hour
    dec = pvlib.irradiance.erbs(ghi, sp["zenith"], times)
    shape = poa(ghi, dec["dni"].fillna(0.0), dec["dhi"].fillna(0.0)) / 1000.0
    info = {
        "tilt": tilt,
        "implied_clearness": implied,
        "mean_clearness": mean_k,
        "clear_sky_poa_kwh_m2": poa_cs.sum() / 1000.0,
        "december_share": float(shape[times.month == 12].sum() / shape.sum()),
    }
    return shape, info


def smoothed_power_curve() -> tuple[np.ndarray, np.ndarray]:
    """Generic turbine curve smoothed for a fleet: Gaussian kernel, sigma = 0.6 + 0.2 v."""
    v = np.arange(0.0, 40.0001, 0.05)

    def single(u: np.ndarray) -> np.ndarray:
        p = (u**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
        p = np.where(u < CUT_IN, 0.0, np.where(u < RATED, p, 1.0))
        return np.where(u >= CUT_OUT, 0.0, p)

    x = np.linspace(-4.0, 4.0, 161)  # standard-normal nodes
    w = stats.norm.pdf(x)
    w /= w.sum()
    sigma = 0.6 + 0.2 * v
    p = (single(v[:, None] + sigma[:, None] * x[None, :]) * w[None, :]).sum(axis=1)
    return v, np.clip(p, 0.0, 1.0)


def wind_cf(site: Site, hours: float) -> tuple[np.ndarray, dict[str, float]]:
    """Synthetic hourly wind capacity factor whose annual sum is ``hours``."""
    z = gaussian_ar1(stream(site.code, WIND_STREAM), HOURS, WIND_RHO)
    u = stats.norm.cdf(z)
    v_unit = (-np.log1p(-u)) ** (1.0 / WEIBULL_K)  # Weibull(k, scale 1)
    h = np.arange(HOURS)
    doy = h // 24 + 1
    hod = h % 24
    season = 1.0 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (doy - SEASON_PEAK_DOY) / 365.0)
    diurnal = 1.0 + DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hod - DIURNAL_PEAK_HOUR) / 24.0)
    base = v_unit * season * diurnal
    vg, pg = smoothed_power_curve()

    def cf(c: float) -> np.ndarray:
        return np.interp(c * base, vg, pg)

    # Weibull scale c such that the annual sum of cf hits the target (below cut-out regime).
    c = optimize.brentq(lambda c: cf(c).sum() - hours, 1.0, 14.0, xtol=1e-10)
    out = scale_to_hours(cf(c), hours)  # removes the residual of the root finder exactly
    return out, {"weibull_scale_ms": c}


def read_hours(raw: Path) -> pd.DataFrame:
    """2020 wind (full-year) and PV (Jan-Nov) utilisation hours by province name."""
    df = pd.read_csv(raw / "province_wind_solar_utilisation_hours_2018_2020.csv")
    df = df[df["year"] == 2020]
    wide = df.pivot(index="region", columns="indicator", values="value")
    return wide[["solar_utilisation_hours_jan_nov", "wind_utilisation_hours"]]


def read_load(raw: Path) -> pd.DataFrame:
    """Hourly provincial demand 2018, MW, columns = province codes."""
    df = pd.read_csv(raw / "province_hourly_demand_mw_2018_ndrc_v2.1.csv", encoding="utf-8-sig")
    df = df.set_index("Time Series")
    if len(df) != HOURS or list(df.index) != list(range(1, HOURS + 1)):
        raise ValueError("demand file: expected hours 1..8760")
    return df


def build(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (profiles, profile_meta, diagnostics)."""
    codes = pd.read_csv(raw / "province_codes_pypsa_china.csv")
    known = set(codes["Code"])
    hours = read_hours(raw)
    load = read_load(raw)
    frames, meta, diag = [], [], []
    for site in SITES:
        if site.code not in known:
            raise ValueError(f"{site.code} is not a PyPSA-China province code")
        mw = load[site.code].to_numpy(dtype=float)
        load_pu = round_preserving_sum(mw / mw.mean(), float(HOURS))

        h_jn = float(hours.loc[site.name, "solar_utilisation_hours_jan_nov"])
        shape, s_info = solar_shape(site, h_jn)
        pv_hours = round(h_jn / (1.0 - s_info["december_share"]), DECIMALS)
        solar = round_preserving_sum(scale_to_hours(shape, pv_hours), pv_hours)

        w_hours = float(hours.loc[site.name, "wind_utilisation_hours"])
        wind, w_info = wind_cf(site, w_hours)
        wind = round_preserving_sum(wind, w_hours)

        frames.append(
            pd.DataFrame(
                {
                    "province_code": site.code,
                    "hour": np.arange(HOURS),
                    "load_pu": load_pu,
                    "solar_cf": solar,
                    "wind_cf": wind,
                }
            )
        )
        jn_mask = times_mid_hour().month <= 11
        meta += [
            {
                "province_code": site.code,
                "series": "load",
                "full_load_hours": np.nan,
                "source": SRC_LOAD,
                "estimate": False,
                "method": (
                    f"Hourly demand of {site.name} in 2018 (MW, hour 0 = 1 Jan 00:00 CST) "
                    "divided by its annual mean, rounded to 4 decimals with the sum kept at "
                    "8760. Vintage 2018: shape only, not a 2020 level."
                ),
            },
            {
                "province_code": site.code,
                "series": "solar",
                "full_load_hours": pv_hours,
                "source": SRC_PV,
                "estimate": True,
                "method": (
                    f"synthetic: pvlib Ineichen clear sky at {site.city} ({site.lat} N, "
                    f"{site.lon} E, {site.altitude_m:.0f} m), daily clearness factor "
                    f"Beta(mean {s_info['mean_clearness']:.3f}, kappa {CLEARNESS_KAPPA:g}) "
                    f"with day-to-day AR(1) rho {CLEARNESS_RHO:g}, rescaled to that mean in "
                    f"every month, cap 1 (seed {BASE_SEED}/crc32 "
                    f"code/stream {SOLAR_STREAM}), Erbs + Hay-Davies onto a south-facing "
                    f"{s_info['tilt']:.1f} deg fixed tilt, scaled (cap 1) to {pv_hours:.4f} h "
                    f"= 2020 Jan-Nov {h_jn:.0f} h / (1 - December share "
                    f"{s_info['december_share']:.4f} of the profile)"
                ),
            },
            {
                "province_code": site.code,
                "series": "wind",
                "full_load_hours": w_hours,
                "source": SRC_WIND,
                "estimate": True,
                "method": (
                    f"synthetic: hourly AR(1) Gaussian (rho {WIND_RHO:g}, seed {BASE_SEED}/"
                    f"crc32 code/stream {WIND_STREAM}) mapped to Weibull k {WEIBULL_K:g}, "
                    f"scale {w_info['weibull_scale_ms']:.3f} m/s, seasonal +-"
                    f"{SEASON_AMPLITUDE:g} (peak day {SEASON_PEAK_DOY}) and diurnal +-"
                    f"{DIURNAL_AMPLITUDE:g} (peak {DIURNAL_PEAK_HOUR}:00) modulation, generic "
                    f"{CUT_IN:g}/{RATED:g}/{CUT_OUT:g} m/s power curve smoothed "
                    "sigma=0.6+0.2v; scale chosen so annual hours = 2020 wind utilisation "
                    f"hours {w_hours:.0f} h. Not a measured {site.name} profile"
                ),
            },
        ]
        diag.append(
            {
                "province_code": site.code,
                "city": site.city,
                "pv_jan_nov_h": h_jn,
                "pv_year_h": pv_hours,
                "pv_jan_nov_check_h": float(solar[jn_mask].sum()),
                "pv_ext_factor": pv_hours / h_jn,
                "pv_implied_clearness": s_info["implied_clearness"],
                "pv_max_cf": float(solar.max()),
                "wind_h": w_hours,
                "wind_weibull_c": w_info["weibull_scale_ms"],
                "wind_max_cf": float(wind.max()),
                "wind_ac1": float(np.corrcoef(wind[:-1], wind[1:])[0, 1]),
                "wind_ac24": float(np.corrcoef(wind[:-24], wind[24:])[0, 1]),
                "wind_cv": float(wind.std() / wind.mean()),
                "load_peak_pu": float(load_pu.max()),
            }
        )
    profiles = pd.concat(frames, ignore_index=True)
    profile_meta = pd.DataFrame(meta)
    return profiles, profile_meta, pd.DataFrame(diag)


def write(profiles: pd.DataFrame, profile_meta: pd.DataFrame, out: Path) -> None:
    """Write both tables deterministically (gzip mtime 0, estimate as true/false)."""
    out.mkdir(parents=True, exist_ok=True)
    profiles.to_csv(
        out / "profiles.csv.gz",
        index=False,
        compression={"method": "gzip", "mtime": 0, "compresslevel": 9},
    )
    meta = profile_meta.copy()
    meta["estimate"] = meta["estimate"].map({True: "true", False: "false"})
    meta.to_csv(out / "profile_meta.csv", index=False, float_format="%.4f")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="shared/data/raw")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="calibration/data")
    args = parser.parse_args()
    profiles, meta, diag = build(args.raw)
    write(profiles, meta, args.out)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(diag.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
