"""Batch store faults: a truncated result file is reported by ``batch status`` and repaired
by a resume, ``zb.load`` skips and reports it; a killed driver leaves no worker behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from zonesim.batch import load, run
from zonesim.batch.store import Store

ROOT = Path(__file__).resolve().parents[1]
ZONESIM = str(Path(sys.executable).parent / "zonesim")

TINY = f"""
name: tiny_faults
description: one mix, two seeds; one city, one year
base: {ROOT / "scenarios/baseline.yaml"}
settings:
  selection: {{zones: [Z04], include_associated: false}}
  horizon: {{start_year: 2020, end_year: 2021}}
  planner: {{n_days: 1, mode: rolling}}
  firms: {{n_firms: 60}}
replications: {{n}}
outputs:
  tables: [pathways]
"""


def _experiment(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"tiny{n}.yaml"
    path.write_text(TINY.replace("{n}", str(n)))
    return path


def test_truncated_result_is_reported_skipped_and_repaired(tmp_path):
    exp = _experiment(tmp_path, 2)
    out = tmp_path / "store"
    first = run(exp, out, workers=1, progress=False)
    assert (first.done, first.failed) == (2, 0)
    m = Store(out).manifest()
    sums = json.loads(m["checksums"].iloc[0])
    assert set(sums) == {"metrics", "pathways"} and all(len(v) == 64 for v in sums.values())
    reference = load(out).pathways.sort_values(["run_id", "city_id", "year"]).reset_index(drop=True)

    victim = m["run_id"].iloc[0]
    file = out / "pathways" / f"{victim}.parquet"
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])  # a truncated Parquet file

    status = subprocess.run(
        [ZONESIM, "batch", "status", str(out)], capture_output=True, text=True, timeout=120
    )
    assert status.returncode == 0, status.stderr
    assert "1 done, 0 failed, 0 pending, 1 corrupt" in status.stdout
    assert f"corrupt {victim}" in status.stdout and "checksum differs" in status.stdout
    assert "rerun" in status.stdout

    with pytest.warns(UserWarning, match="corrupt"):
        data = load(out)
    assert victim not in set(data.pathways["run_id"]) and victim not in set(data.metrics["run_id"])
    assert len(data.skipped) == 1 and victim in data.skipped[0]

    again = run(exp, out, workers=1, progress=False)
    assert (again.skipped, again.done, again.failed) == (1, 1, 0)
    m = Store(out).manifest()
    assert (m["status"] == "done").all()
    repaired = load(out).pathways.sort_values(["run_id", "city_id", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(repaired, reference, check_exact=True)


def test_unreadable_file_without_checksum_is_skipped_by_load(tmp_path):
    """A store written before checksums existed: the footer check finds the damage."""
    exp = _experiment(tmp_path, 1)
    out = tmp_path / "store"
    run(exp, out, workers=1, progress=False)
    log = out / "manifest.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    log.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "files"}) + "\n" for r in lines))
    victim = lines[0]["run_id"]
    (out / "metrics" / f"{victim}.parquet").write_bytes(b"PAR1 garbage")
    m = Store(out).manifest()
    assert m.loc[m["run_id"] == victim, "status"].item() == "corrupt"
    with pytest.warns(UserWarning, match="corrupt"):
        data = load(out)
    assert data.metrics.empty


def _running(proc) -> bool:
    import psutil

    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_killed_driver_leaves_no_worker_behind(tmp_path):
    import psutil

    exp = _experiment(tmp_path, 6)
    out = tmp_path / "store"
    cmd = [ZONESIM, "batch", str(exp), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    driver = psutil.Process(proc.pid)
    # kill once a run has finished: the workers are up (a worker still importing when its
    # driver dies leaves only when its imports are done, which takes long on a loaded machine)
    log = out / "manifest.jsonl"
    deadline = time.time() + 240
    children: list = []
    workers: list = []
    while time.time() < deadline and proc.poll() is None:
        if log.exists() and '"done"' in log.read_text():
            children = driver.children(recursive=True)
            workers = [c for c in children if not any("resource_tracker" in p for p in c.cmdline())]
            if workers:
                break
        time.sleep(0.1)
    assert workers, "no worker process seen while the batch ran"
    assert proc.poll() is None, "the batch ended before the driver could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.time() + 90
    alive = children
    while time.time() < deadline:
        alive = [c for c in children if _running(c)]
        if not alive:
            break
        time.sleep(0.2)
    left = [c.pid for c in alive]
    for c in alive:  # do not leave them running if the test fails
        with contextlib.suppress(psutil.NoSuchProcess):
            c.kill()
    assert not alive, f"processes survived the driver by 90 s: {left}"
    # the store stays readable: what finished before the kill is done and intact, the rest
    # pending (resuming is covered by test_batch.py::test_killed_worker_loses_nothing_...)
    m = Store(out).manifest()
    assert len(m) == 6 and set(m["status"]) == {"done", "pending"}  # killed mid-batch
