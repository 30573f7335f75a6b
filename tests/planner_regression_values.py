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
    "objective_bn_cny": 354.99106249127595,
    "n_vars": 7430,
    "n_rows": 6514,
    "n_nonzeros": 29702,
    "new_gw": {
        "battery_2h": 1.4446,
        "battery_4h": 2.7374,
        "coal": 0.0,
        "gas": 7.6241,
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
]
