"""The results store of a batch: one folder per experiment.

Layout::

    DIR/experiment.yaml        the experiment file as given (copy)
    DIR/experiment.json        the validated experiment, its hash and the run count
    DIR/manifest.parquet       one row per run: inputs, seed, hashes, versions, status, wall time, error
    DIR/manifest.jsonl         append-only log of run outcomes (the manifest is rebuilt from it)
    DIR/<table>/<run_id>.parquet   one file per run and table (metrics, pathways, investments, plans)

Every table file is written atomically (temporary file in the same folder, then rename) and
carries ``run_id``; a run's outcome is appended to ``manifest.jsonl`` only after all its files
are in place, with the SHA-256 of each file, so a run counts as done only when all of it is on
disk. The manifest checks those checksums: a done run whose file is missing, truncated or
changed is ``corrupt`` (``batch status`` lists it, a rerun repeats it, :func:`load` skips it).
``manifest.parquet`` is rewritten atomically at the start and end of a batch and by
:func:`load`/``status``; a batch that was killed leaves its outcomes in the log, and the next
command folds them in.
Only the driver process writes to the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from zonesim.batch.design import RunSpec
from zonesim.batch.experiment import Experiment, ExperimentError
from zonesim.results import _atomic_parquet, _atomic_text

STATUS = ("pending", "done", "failed", "corrupt")
MANIFEST_COLUMNS = [
    "run_id",
    "index",
    "mix",
    "cell",
    "point",
    "replication",
    "seed",
    "scenario_hash",
    "data_version",
    "code_version",
    "status",
    "wall_s",
    "error",
    "worker",
    "finished_at",
    "attempts",
    "params",
    "checksums",
]


class Store:
    """A batch results folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._digests: dict[tuple[str, int, int], str] = {}  # (file, size, mtime_ns) -> sha256
        self.unreadable: list[str] = []  # files read_table skipped

    # ------------------------------------------------------------------ layout
    @property
    def log_path(self) -> Path:
        return self.path / "manifest.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.parquet"

    def table_dir(self, table: str) -> Path:
        return self.path / table

    def exists(self) -> bool:
        return (self.path / "experiment.json").is_file()

    def info(self) -> dict[str, Any]:
        if not self.exists():
            raise ExperimentError(
                f"{self.path}: not a batch store (no experiment.json); run `zonesim batch` first"
            )
        return json.loads((self.path / "experiment.json").read_text())

    # ------------------------------------------------------------------- setup
    def open(self, exp: Experiment, specs: list[RunSpec], data_version: str) -> None:
        """Create the store or check it belongs to ``exp``; record the planned runs."""
        self.path.mkdir(parents=True, exist_ok=True)
        if self.exists():
            info = self.info()
            if info["experiment_hash"] != exp.hash():
                raise ExperimentError(
                    f"{self.path}: holds experiment {info['name']!r} (hash {info['experiment_hash']}), "
                    f"not this version of {exp.name!r} (hash {exp.hash()}); choose another --out folder"
                )
        else:
            if exp.source:
                shutil.copyfile(exp.source, self.path / "experiment.yaml.tmp")
                os.replace(self.path / "experiment.yaml.tmp", self.path / "experiment.yaml")
            info = {
                "name": exp.name,
                "experiment_hash": exp.hash(),
                "source": exp.source,
                "data_version": data_version,
                "runs": len(specs),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "experiment": exp.model_dump(mode="json"),
                "uncertain": list(exp.uncertain),
                "grid": list(exp.grid),
            }
            _atomic_text(json.dumps(info, indent=2, default=str), self.path / "experiment.json")
        planned = pd.DataFrame([_planned_row(s, data_version) for s in specs])
        _atomic_parquet(planned, self.path / "planned.parquet")
        self.compact()

    # ---------------------------------------------------------------- writing
    def write_run(self, run_id: str, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
        """Write a finished run's tables atomically (each file: temporary, then rename);
        returns the SHA-256 of each file by table, for the outcome log."""
        sums = {}
        for name, df in tables.items():
            folder = self.table_dir(name)
            folder.mkdir(exist_ok=True)
            df = df.copy()
            df.attrs = {}
            df.insert(0, "run_id", run_id)
            sums[name] = self.digest(_atomic_parquet(df, folder / f"{run_id}.parquet"))
        return sums

    def digest(self, file: Path) -> str:
        """SHA-256 of ``file`` (cached by size and modification time within this process)."""
        st = file.stat()
        key = (str(file), st.st_size, st.st_mtime_ns)
        if key not in self._digests:
            h = hashlib.sha256()
            with open(file, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            self._digests[key] = h.hexdigest()
        return self._digests[key]

    def check_run(self, run_id: str, checksums: dict[str, str] | None) -> str | None:
        """Why a done run's files are not intact (missing, truncated, changed), or None.

        Runs logged before checksums were kept are checked by reading their metrics file's
        Parquet footer."""
        problems = []
        items = checksums.items() if checksums else [("metrics", None)]
        for table, expected in items:
            f = self.table_dir(table) / f"{run_id}.parquet"
            try:
                if expected is None:
                    pq.read_metadata(f)
                elif self.digest(f) != expected:
                    problems.append(f"{table}/{f.name} (checksum differs: truncated or changed)")
            except FileNotFoundError:
                problems.append(f"{table}/{f.name} (missing)")
            except (OSError, pa.ArrowException) as exc:
                problems.append(f"{table}/{f.name} (unreadable: {str(exc)[:80]})")
        return "; ".join(problems) or None

    def log(self, record: dict[str, Any]) -> None:
        """Append one outcome to the log (one line, flushed and synced)."""
        line = json.dumps(record, default=str) + "\n"
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    # ---------------------------------------------------------------- reading
    def _events(self) -> pd.DataFrame:
        rows = []
        if self.log_path.exists():
            for line in self.log_path.read_text().splitlines():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut by a crash
        return pd.DataFrame(rows)

    def manifest(self, verify: bool = True) -> pd.DataFrame:
        """Planned runs with the latest outcome of each (pending if none); with ``verify`` a
        done run whose files fail their checksum is ``corrupt``."""
        planned = pd.read_parquet(self.path / "planned.parquet")
        events = self._events()
        m = planned.copy()
        m["status"] = "pending"
        for col in ("code_version", "error", "worker", "finished_at", "checksums"):
            m[col] = None
        m["wall_s"] = float("nan")
        m["attempts"] = 0
        if len(events):
            events = events[events["run_id"].isin(m["run_id"])]
            attempts = events.groupby("run_id").size()
            # a done outcome wins over a later failure of a duplicate submission
            events = events.assign(_done=events["status"].eq("done")).sort_values(["_done"], kind="stable")
            last = events.groupby("run_id").last()
            idx = m["run_id"]
            for col in (
                "status",
                "code_version",
                "error",
                "worker",
                "finished_at",
                "wall_s",
                "data_version_run",
                "files",
            ):
                if col in last:
                    mapped = idx.map(last[col])
                    m[col] = mapped.where(idx.isin(last.index), m.get(col))
            if "data_version_run" in m:  # technology-cost samples run on a modified copy of the data
                m["data_version"] = m["data_version_run"].where(
                    m["data_version_run"].notna(), m["data_version"]
                )
                m = m.drop(columns="data_version_run")
            m["attempts"] = idx.map(attempts).fillna(0).astype(int)
            if "files" in m:
                m["checksums"] = m.pop("files").map(
                    lambda v: json.dumps(v, sort_keys=True) if isinstance(v, dict) else None
                )
        if verify:
            for i in np.flatnonzero((m["status"] == "done").to_numpy()):
                sums = m["checksums"].iat[i]
                problem = self.check_run(m["run_id"].iat[i], json.loads(sums) if sums else None)
                if problem:
                    m.iloc[i, m.columns.get_loc("status")] = "corrupt"
                    m.iloc[i, m.columns.get_loc("error")] = f"corrupt result file(s): {problem}"
        m = m[[c for c in MANIFEST_COLUMNS if c in m] + [c for c in m.columns if c not in MANIFEST_COLUMNS]]
        return m

    def compact(self) -> pd.DataFrame:
        """Rewrite ``manifest.parquet`` from the planned runs and the log (atomically)."""
        m = self.manifest()
        _atomic_parquet(m, self.manifest_path)
        return m

    def done_ids(self) -> set[str]:
        m = self.manifest()
        return set(m.loc[m["status"] == "done", "run_id"])

    def read_table(self, table: str, run_ids: set[str] | None = None) -> pd.DataFrame:
        """One table over the given (default: all done) runs, columns unified."""
        if run_ids is None:
            run_ids = self.done_ids()
        folder = self.table_dir(table)
        parts = []
        for rid in sorted(run_ids):
            f = folder / f"{rid}.parquet"
            if f.exists():
                try:
                    parts.append(pq.read_table(f))
                except (OSError, pa.ArrowException) as exc:
                    self.unreadable.append(f"{table}/{f.name}: {str(exc)[:80]}")
        if not parts:
            return pd.DataFrame({"run_id": pd.Series(dtype=str)})
        return pa.concat_tables(parts, promote_options="permissive").to_pandas()


def _planned_row(s: RunSpec, data_version: str) -> dict[str, Any]:
    row = {
        "run_id": s.run_id,
        "index": s.index,
        "mix": s.mix,
        "cell": s.cell,
        "point": s.point,
        "replication": s.replication,
        "seed": s.seed,
        "scenario_hash": s.scenario_hash,
        "data_version": data_version,
        "params": json.dumps(s.params, sort_keys=True, default=str),
    }
    for k, v in s.params.items():
        row[f"p:{k}"] = v
    return row


def spec_record(s: RunSpec) -> dict[str, Any]:
    """A RunSpec as a JSON-able dict (for logs and debugging)."""
    return json.loads(json.dumps(asdict(s), default=str))
