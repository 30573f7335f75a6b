"""The dual-control evaluation record and the per-zone record check (issue 12, validation).

published_outcomes.csv carries, beside the yearly and cumulative energy-intensity changes, the
evaluation record found for the zones' own areas: NDRC's H1 2021 barometer (warning level of
every zone province), the provinces' own H1 2021 notices for Shaoguan, Ningdong, Shizuishan
and Xuzhou, and NDRC's statements that Anhui, Guangdong, Chongqing and Hubei lagged their
14th-FYP progress after 2022. These tests pin the record as published and check the
comparison on a hand-made run whose every number is known (docs/validation-record.md has the
table on the shipped retrospective).
"""

from __future__ import annotations

import pandas as pd
import pytest
from zonesim.calibration.retrospective import (
    BEHIND,
    GRADE,
    ON_TRACK,
    REACHED,
    record_checks,
    record_summary,
    write,
)
from zonesim.calibration.validation import published_by_city


def _records(base, variable):
    p = base.published_outcomes
    return p[p["variable"] == variable].set_index(["scope", "region", "year"])["value"]


def test_every_zone_province_has_its_h1_2021_warning_level(base):
    grade = _records(base, GRADE)
    provinces = set(base.cities.loc[base.cities["zone_id"].notna(), "province"])
    assert len(provinces) == 19
    for prov in provinces:
        assert grade[("province", prov, 2021)] in (1.0, 2.0, 3.0), prov
    # NDRC 发改办环资〔2021〕629号: intensity rose in 9 provinces, 3 of them zone provinces
    rose = sorted(r for (s, r, _), v in grade.items() if s == "province" and v == 1.0)
    assert rose == ["Guangdong", "Jiangsu", "Ningxia"]
    assert grade[("province", "Liaoning", 2021)] == 2.0
    assert grade[("province", "Hebei", 2021)] == 3.0
    assert grade[("province", "Inner Mongolia", 2021)] == 3.0


def test_city_and_schedule_records_are_as_published(base):
    grade = _records(base, GRADE)
    assert grade[("city", "shaoguan", 2021)] == 2.0  # Guangdong's barometer: fell, short of progress
    assert grade[("city", "ningdong", 2021)] == 1.0  # Ningxia: intensity rose in 2021 to August
    assert grade[("city", "shizuishan", 2021)] == 1.0
    assert _records(base, ON_TRACK)[("city", "xuzhou", 2021)] == 0.0  # only Suzhou was on track
    behind = _records(base, BEHIND)
    lagging = sorted(r for (_, r, y) in behind.index if y == 2022)
    assert lagging == ["Anhui", "Chongqing", "Guangdong", "Hubei"]
    assert (behind == 1.0).all()
    # Inner Mongolia's January 2025 work report: -3 % in 2024, the -15 % five-year target reached
    assert _records(base, REACHED)[("province", "Inner Mongolia", 2024)] == 1.0
    assert _records(base, "energy_intensity_change")[("province", "Inner Mongolia", 2024)] == -3.0
    # the records are not yearly changes: the yearly comparison still sees one figure per year
    pub = published_by_city(base, base.cities[base.cities["city_id"].eq("ningdong")], [2021])
    assert pub["published_pct"].tolist() == [-5.0]


def _run(base) -> pd.DataFrame:
    """A hand-made 2020-2025 run of seven cities: GDP 100 every year, energy set so that each
    change is known. Xuzhou carries 20 tce of non-fossil energy, so its narrow basis differs."""
    narrow_xz = {2020: 80.0, 2021: 78.0, 2022: 76.0, 2023: 80.0 * 0.87 / 0.965, 2024: 80.0 * 0.87, 2025: 68.0}
    energy = {
        "tangshan": {2020: 100.0, 2021: 89.0},  # -11 % in 2021
        "ningdong": {2020: 100.0, 2021: 103.0},  # +3 % in 2021
        "shizuishan": {2020: 100.0, 2021: 103.0},
        "tongling": {2020: 100.0, 2021: 96.0, 2022: 92.0},  # -8 % by 2022: ahead of schedule
        "huangshi": {2020: 100.0, 2021: 99.0, 2022: 97.0},  # -3 % by 2022: behind
        "xuzhou": {y: v + 20.0 for y, v in narrow_xz.items()},
        "baotou": {2020: 100.0, 2023: 92.0, 2024: 90.0},  # -10 % by 2024: short of -15 %
    }
    target = {"tangshan": -13.5, "ningdong": -13.5, "shizuishan": -13.5, "tongling": -13.5, "huangshi": -13.5}
    target["baotou"] = -15.0
    zone = base.cities.set_index("city_id")["zone_id"]
    rows = []
    for cid, path in energy.items():
        for y in range(2020, 2026):
            e = path.get(y, path[max(k for k in path if k <= y)])
            rows.append(
                {
                    "city_id": cid,
                    "zone_id": zone[cid],
                    "year": y,
                    "gdp_bn": 100.0,
                    "energy_total_tce": e,
                    "nonfossil_primary_tce": 20.0 if cid == "xuzhou" else 0.0,
                    "feedstock_tce": 0.0,
                    "intensity_target_pct": target.get(cid, -14.0),
                    "intensity_change_pct": 100.0 * (e / energy[cid][2020] - 1.0),
                    "co2_t": 2.0 * e,  # for the page's CO2 vintage comparison
                }
            )
    return pd.DataFrame(rows)


def test_record_checks_on_a_hand_made_run(base):
    c = record_checks(_run(base), base).set_index(["zone", "record", "from"])
    one_year = 100.0 * (0.865**0.2 - 1.0)  # -2.86 %: the progress requirement of -13.5 % a year
    # Tangshan fell 11 % in 2021; Hebei was on track (level 3): agree
    r = c.loc[("Z04", GRADE, "province: Hebei")]
    assert r["model_pct"] == pytest.approx(-11.0)
    assert r["requirement_pct"] == pytest.approx(one_year)
    assert r["direction_agrees"] and r["status_agrees"]
    # Ningdong rose 3 %, as Ningxia's notice says (level 1); the province's full year fell 5 %
    r = c.loc[("Z12", GRADE, "city: ningdong")]
    assert r["model_pct"] == pytest.approx(3.0) and r["status_agrees"] and r["direction_agrees"]
    r = c.loc[("Z12", "energy_intensity_change", "province: Ningxia")]
    assert r["published"] == -5.0 and r["model_pct"] == pytest.approx(3.0)
    assert not r["direction_agrees"] and not r["size_agrees"]
    # Xuzhou fell 2 % on total energy in 2021: Jiangsu rose (disagree), Xuzhou off track (agree)
    r = c.loc[("Z16", GRADE, "province: Jiangsu")]
    assert r["model_pct"] == pytest.approx(-2.0) and not r["direction_agrees"]
    assert c.loc[("Z16", ON_TRACK, "city: xuzhou"), "status_agrees"]
    # 2024 and 2020-2024 on the narrow basis (without its 20 tce non-fossil): exactly Jiangsu's
    r = c.loc[("Z16", "energy_intensity_change", "province: Jiangsu")]
    assert r["model_pct"] == pytest.approx(-3.5) and r["basis"] == "excl. non-fossil and feedstock"
    assert r["size_agrees"] and r["status_agrees"]
    r = c.loc[("Z16", "energy_intensity_change_since_2020", "province: Jiangsu")]
    assert r["model_pct"] == pytest.approx(-13.0)
    assert r["requirement_pct"] == pytest.approx(100.0 * (0.86**0.8 - 1.0))
    assert r["size_agrees"] and r["status_agrees"]
    # NDRC said Anhui and Hubei lagged after 2022 (requirement -5.64 %): Tongling -8 % is ahead
    # (disagree), Huangshi -3 % is behind (agree)
    assert c.loc[("Z07", BEHIND, "province: Anhui"), "model_pct"] == pytest.approx(-8.0)
    assert not c.loc[("Z07", BEHIND, "province: Anhui"), "status_agrees"]
    assert c.loc[("Z08", BEHIND, "province: Hubei"), "status_agrees"]
    # Inner Mongolia reached -15 % by 2024; Baotou's -10 % has not (disagree); its 2024 year
    # (-2.2 %) agrees with the region's -3 %: both fall, within 2 pp, both short of the -3.2 %
    # a year that -15 % over five years asks
    r = c.loc[("Z03", REACHED, "province: Inner Mongolia")]
    assert r["model_pct"] == pytest.approx(-10.0) and r["requirement_pct"] == pytest.approx(-15.0)
    assert not r["status_agrees"]
    r = c.loc[("Z03", "energy_intensity_change", "province: Inner Mongolia")]
    assert r["model_pct"] == pytest.approx(100.0 * (90.0 / 92.0 - 1.0))
    assert r["direction_agrees"] and r["size_agrees"] and r["status_agrees"]
    s = record_summary(c.reset_index())
    assert s["zones"] == 6 and s["checks"] == len(c)


def test_a_run_that_ends_before_a_record_skips_it(base):
    run = _run(base)
    c = record_checks(run[run["year"] <= 2022], base)
    assert not (c["period"].str.endswith("2024")).any()
    assert len(c) > 0


def test_the_retrospective_page_shows_the_record(base, tmp_path):
    page = write(_run(base), base, tmp_path, "hand-made").read_text(encoding="utf-8")
    assert "Each zone against its own published record" in page
    assert "dual_control_grade_h1" in page
    table = pd.read_csv(tmp_path / "retrospective_record.csv")
    assert set(table["zone"]) == {"Z03", "Z04", "Z07", "Z08", "Z12", "Z16"}
