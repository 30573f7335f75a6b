"""Regression values of the planner for a reference city, kept in one place.

Reference case: Tangshan, perfect foresight 2021-2025, D = 4 representative days,
``baseline_outlook`` and ``default_policy`` (staged accounting rule, coal-equivalent
conversion) from the shipped tables. Counts are HiGHS's columns, rows and nonzeros.

Every change of a value gets a line in CHANGES saying why (model change or data change).
"""

REFERENCE = {
    "city_id": "tangshan",
    "years": (2021, 2022, 2023, 2024, 2025),
    "n_days": 4,
}

VALUES = {
    "objective_bn_cny": 495.02573383331924,
    "n_vars": 7440,
    "n_rows": 6574,
    "n_nonzeros": 29916,
    "new_gw": {
        "battery_2h": 2.4077,
        "battery_4h": 0.0,
        "coal": 0.0,
        "gas": 0.0,
        "solar": 15.4702,
        "wind": 0.581,
    },
}

OBJECTIVE_RTOL = 1e-6
NEW_GW_ATOL = 1e-3

CHANGES = [
    # (date, what changed, why)
    (
        "first recorded",
        "all values",
        "planner LP and data tables as first committed (data version 4305df698eb1)",
    ),
    (
        "2026-11-27",
        "objective 354.99 -> 351.93; battery_2h 1.44 -> 2.41, battery_4h 2.74 -> 0, gas 7.62 -> 7.78",
        "data: import_limit_share_of_peak 0.5 -> 1.0 (planner_parameters.csv). Imports now carry "
        "the peak the old limit left to 4 h batteries; counts unchanged",
    ),
    (
        "2026-11-27",
        "objective 351.93 -> 453.75; gas 7.78 -> 9.08",
        "data: coal price 522.5 -> 719.9 CNY/tce (2020) and 852.7 (2025) from Chinese port prices and "
        "the NDRC 2022 long-term-contract range (prices.csv); dearer coal makes gas and imports "
        "relatively cheaper; counts unchanged",
    ),
    (
        "2026-11-27",
        "objective 453.75 -> 457.23; gas 9.08 -> 9.48",
        "model: representative days rescaled so weighted means equal annual means "
        "(representative_days(..., rescale=True) in the adapter); counts unchanged",
    ),
    (
        "2026-11-30",
        "objective 457.23 -> 476.93; gas 9.48 -> 9.84; rows 6514 -> 6544, nonzeros 29702 -> 29768",
        "model and data (issue 11): fossil plants run at most their province's 2020 utilisation "
        "hours (plan_hours rows, utilisation_hours.csv) and at most their availability in any hour "
        "(availability.csv), so more gas is built for the peak energy coal may no longer make; "
        "net import moves at most 5 % of demand a year (trade_pace rows, planner_parameters.csv); "
        "grid electricity carries its regional grid's factor (grid_emission_factors.csv)",
    ),
    (
        "2026-11-30",
        "objective 476.93 -> 484.05; gas 9.84 -> 0; counts unchanged",
        "data: Hebei gas priced at its NDRC 2019 benchmark city-gate price, 1.84 CNY/m3 = 1,515.3 "
        "CNY/tce (prices.csv, gas HE), instead of the national marker 1,288.6; at +18 % no new gas is "
        "built in Tangshan, the other new capacity is unchanged",
    ),
    (
        "2026-11-30",
        "objective 484.05 -> 495.03 with the Hebei gas price (measured on its own: 476.93 -> 490.13)",
        "model and data: coal prices by province (zonesim.planner.prices, coal_prices_regional.csv). "
        "Tangshan buys at the port: 2020 mean 720 CNY/tce, the NDRC 303 midpoint 852.7 from 2022 "
        "(the year the corridor took effect; prices.csv dated it 2025), so 2022-2024 coal is dearer. "
        "prices: {coal_basis: national} reproduces 476.929 exactly",
    ),
    (
        "2026-11-30",
        "columns 7430 -> 7440, rows 6544 -> 6564, nonzeros 29768 -> 29896; objective and mix unchanged",
        "model (issue 10): non-fossil consumption a rule removes (nf_consumed, new_consumed: two "
        "columns and four rows a year, family nonfossil_consumption), so that exported non-fossil "
        "electricity earns no credit, as in the accounting (docs/changes.md)",
    ),
    (
        "2026-11-30",
        "rows 6564 -> 6574, nonzeros 29896 -> 29916; objective and new capacity unchanged",
        "model (issue 11): gross export at most the base year's (export_cap_rule, 5 rows; without a "
        "known base-year flow the cap is wide) and new coal at most the firm-capacity shortfall "
        "(coal_adequacy, 5 rows; wide here: the adapter's input does not apply the 2021 rule)",
    ),
]
