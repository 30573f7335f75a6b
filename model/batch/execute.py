"""Run a batch: one run function, executed on a local process pool or a Dask cluster.

:func:`run_one` is the only code that simulates: it takes a :class:`RunSpec` (plain values),
calls :func:`zonesim.runner.run` and returns the tables and metrics, or the error. It runs
unchanged in a local worker process or on a Dask worker; only the driver writes the store.

A run that raises is recorded as failed (with its error) and the batch goes on. A worker
process that dies (killed, out of memory) breaks a local pool: the runs then in flight are
recorded as failed, a fresh pool takes over the rest. On Dask, the scheduler retries a task
whose worker died on another worker (``distributed.scheduler.allowed-failures``); a task that
still fails is recorded as failed. Rerunning the same command skips finished runs and
repeats corrupt ones (a result file whose checksum no longer matches).

Local workers die with the driver: each asks the kernel for SIGKILL when its parent dies
(Linux ``PR_SET_PDEATHSIG``) and watches its parent id as a fallback, so a driver killed
by any signal leaves no worker behind; a driver stopped by an exception or Ctrl-C
terminates its workers before it exits.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from zonesim.batch.design import RunSpec, expand
from zonesim.batch.experiment import Experiment, load_experiment
from zonesim.batch.store import Store


@dataclass
class Outcome:
    """What a worker sends back for one run."""

    run_id: str
    status: str  # done | failed
    wall_s: float
    worker: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    stamp: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


_BASES: dict[tuple[str, tuple[tuple[str, float], ...]], Any] = {}


def _base_for(tech_scale: dict[str, float]) -> Any:
    """The base-year data, with technology parameters scaled (a copy with its own version)."""
    from zonesim.data import BaseYear, load

    base = load()
    if not tech_scale:
        return base
    key = (base.version, tuple(sorted(tech_scale.items())))
    if key not in _BASES:
        tech = base.tables["technologies"].copy()
        for target, factor in tech_scale.items():
            name, param = target.split(".")
            rows = (tech["tech"] == name) & (tech["parameter"] == param)
            tech.loc[rows, "value"] = tech.loc[rows, "value"] * factor
        suffix = ",".join(f"{k}*{v:.6g}" for k, v in sorted(tech_scale.items()))
        import hashlib

        version = f"{base.version}+tech:{hashlib.sha256(suffix.encode()).hexdigest()[:8]}"
        _BASES.clear()  # one modified copy at a time: bounded memory over long batches
        _drop_lookups(base.version)
        _BASES[key] = BaseYear(
            data_dir=base.data_dir, version=version, tables={**base.tables, "technologies": tech}
        )
    return _BASES[key]


def _drop_lookups(keep_version: str) -> None:
    """Free the planner lookups (per data version) of earlier modified copies."""
    try:
        from zonesim.planner import lookup as adapter
    except ImportError:  # pragma: no cover
        return
    cache = getattr(adapter, "_LOOKUPS", None)
    if isinstance(cache, dict):
        for k in [k for k in cache if k[1] != keep_version]:
            cache.pop(k, None)


_LIMITED = False


def _one_thread() -> None:
    """One BLAS/OpenMP thread per worker process: parallelism comes from the workers."""
    global _LIMITED
    if _LIMITED:
        return
    _LIMITED = True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional; without it BLAS may oversubscribe the cores
        return
    threadpool_limits(1)


def run_one(spec: RunSpec) -> Outcome:
    """Simulate one run of a batch; never raises for a model error (returns it as failed)."""
    _one_thread()
    from zonesim.batch.metrics import run_metrics
    from zonesim.runner import run
    from zonesim.scenario import Scenario

    worker = f"{socket.gethostname()}:{os.getpid()}"
    t0 = time.perf_counter()
    try:
        if os.environ.get("ZONESIM_BATCH_FAIL") and spec.mix in os.environ["ZONESIM_BATCH_FAIL"].split(","):
            raise RuntimeError(f"injected failure for mix {spec.mix!r} (ZONESIM_BATCH_FAIL)")
        scenario = Scenario.model_validate(spec.scenario)
        base = _base_for(spec.tech_scale)
        res = run(scenario, base=base, agent_params=spec.agent_params or None)
        tables: dict[str, pd.DataFrame] = {"metrics": run_metrics(res.pathways, res.plans)}
        for name in spec.tables:
            tables[name] = res.zones() if name == "zones" else getattr(res, name)
        return Outcome(spec.run_id, "done", time.perf_counter() - t0, worker, tables, dict(res.stamp))
    except Exception as exc:  # a failed run is data, not a crash of the batch
        tb = traceback.format_exc(limit=6)
        return Outcome(spec.run_id, "failed", time.perf_counter() - t0, worker, error=f"{exc!r}\n{tb}")


# --------------------------------------------------------------------- executors
def _die_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this process when the driver ``parent`` dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1  # <linux/prctl.h>
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog below still works
        pass
    if os.getppid() != parent:  # the driver died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="zonesim-parent-watch", daemon=True).start()


class _Local:
    """concurrent.futures process pool, rebuilt if a worker dies; workers die with the driver."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers, initializer=_die_with_parent, initargs=(os.getpid(),)
        )

    def submit(self, fn: Callable, spec: RunSpec) -> cf.Future:
        return self.pool.submit(fn, spec)

    def wait(self, futures: set) -> tuple[set, set]:
        done, pending = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return done, pending

    def result(self, fut: cf.Future) -> Outcome:
        return fut.result()

    def broken(self, exc: BaseException) -> bool:
        return isinstance(exc, cf.process.BrokenProcessPool)

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    def slots(self) -> int:
        return self.workers

    def close(self, kill: bool = False) -> None:
        if kill:  # the driver is stopping on an error or Ctrl-C: do not wait for runs in flight
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                proc.terminate()
        self.pool.shutdown(wait=not kill, cancel_futures=True)


class _Dask:
    """An existing Dask distributed cluster (scheduler address or a Client)."""

    def __init__(self, scheduler: Any):
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self.own = scheduler, False
        else:
            self.client, self.own = Client(scheduler), True

    def submit(self, fn: Callable, spec: RunSpec) -> Any:
        return self.client.submit(fn, spec, key=f"zonesim-run-{spec.run_id}", pure=False)

    def wait(self, futures: set) -> tuple[set, set]:
        from distributed import wait

        res = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(res.done), set(res.not_done)

    def result(self, fut: Any) -> Outcome:
        try:
            return fut.result()
        finally:
            fut.release()

    def broken(self, exc: BaseException) -> bool:
        return False

    def restart(self) -> None:  # pragma: no cover - never broken
        pass

    def slots(self) -> int:
        n = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        return max(4 * n, 8)

    def close(self, kill: bool = False) -> None:
        if self.own:
            self.client.close()


# ------------------------------------------------------------------------ driver
@dataclass
class BatchSummary:
    """What a batch command did."""

    store: Path
    total: int
    skipped: int
    done: int
    failed: int
    wall_s: float

    @property
    def complete(self) -> bool:
        return self.skipped + self.done == self.total


def run(
    experiment: Experiment | str | Path,
    out: str | Path,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    max_restarts: int = 5,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchSummary:
    """Run (or resume) ``experiment`` into the store ``out``; returns counts.

    ``workers``: local processes (default: all cores); ``scheduler``: a Dask scheduler address
    (``tcp://host:8786``) or a ``distributed.Client`` to run on a cluster instead.
    """
    from tqdm import tqdm
    from zonesim.data import load

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    data_version = load().version
    specs = expand(exp, data_version)
    store = Store(out)
    store.open(exp, specs, data_version)
    finished = store.done_ids()
    todo = [s for s in specs if s.run_id not in finished]
    t0 = time.perf_counter()
    summary = BatchSummary(store.path, len(specs), len(specs) - len(todo), 0, 0, 0.0)
    if not todo:
        store.compact()
        return summary
    ex: Any = _Dask(scheduler) if scheduler is not None else _Local(workers or os.cpu_count() or 1)
    bar = tqdm(total=len(todo), desc=exp.name, unit="run", disable=not progress, dynamic_ncols=True)
    bar.set_postfix(done=0, failed=0, skipped=summary.skipped)
    queue = list(reversed(todo))
    inflight: dict[Any, RunSpec] = {}
    restarts = 0

    def record(spec: RunSpec, outcome: Outcome) -> None:
        files = None
        if outcome.status == "done":
            files = store.write_run(spec.run_id, outcome.tables)
            summary.done += 1
        else:
            summary.failed += 1
        store.log(
            {
                "run_id": spec.run_id,
                "status": outcome.status,
                "wall_s": round(outcome.wall_s, 3),
                "worker": outcome.worker,
                "error": outcome.error,
                "code_version": outcome.stamp.get("code_version"),
                "data_version_run": outcome.stamp.get("data_version"),
                "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "files": files,
            }
        )
        if on_outcome is not None:
            on_outcome(outcome)
        # counts first (no redraw), then the step that redraws: the bar never shows the
        # counts of the run before
        bar.set_postfix(done=summary.done, failed=summary.failed, skipped=summary.skipped, refresh=False)
        bar.update(1)

    stopped = True  # until the loop ends normally: an exception or Ctrl-C kills the workers
    try:
        while queue or inflight:
            while queue and len(inflight) < ex.slots():
                spec = queue.pop()
                inflight[ex.submit(run_one, spec)] = spec
            done, _ = ex.wait(set(inflight))
            broken = False
            for fut in done:
                spec = inflight.pop(fut)
                try:
                    outcome = ex.result(fut)
                except Exception as exc:  # the worker died or the scheduler gave up on the task
                    broken = broken or ex.broken(exc)
                    what = (
                        "worker process died while the run was in flight" if ex.broken(exc) else "task failed"
                    )
                    outcome = Outcome(spec.run_id, "failed", float("nan"), "?", error=f"{what}: {exc!r}")
                record(spec, outcome)
            if broken:
                for fut, spec in list(inflight.items()):  # the whole local pool is gone
                    record(
                        spec,
                        Outcome(
                            spec.run_id,
                            "failed",
                            float("nan"),
                            "?",
                            error="worker pool broke (a worker process died) while in flight",
                        ),
                    )
                    inflight.pop(fut)
                restarts += 1
                if restarts > max_restarts:
                    bar.write(f"worker pool broke {restarts} times; stopping (rerun to resume)")
                    break
                ex.restart()
        stopped = False
    finally:
        bar.close()
        ex.close(kill=stopped)
        store.compact()
    summary.wall_s = time.perf_counter() - t0
    return summary
