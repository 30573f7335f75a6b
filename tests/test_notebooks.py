"""The example notebooks run end to end (on small settings) and show their figures.

Each notebook is executed in a real kernel with the backend Jupyter gives it (no forced
``Agg``): every cell that draws a figure (``fig = plot.<...>(...)``) must carry a PNG image
in its outputs, as a user opening the notebook would see it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "experiments" / "notebooks").glob("*.ipynb"))
PNG = b"\x89PNG\r\n\x1a\n"


def test_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_first_run_and_pathways", "02_compare_levers", "03_sensitivity_from_batch"} <= names


def _images(cell) -> list[bytes]:
    return [
        base64.b64decode(o["data"]["image/png"])
        for o in cell.get("outputs", [])
        if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_figures(path, monkeypatch, tmp_path):
    monkeypatch.setenv("ZONESIM_NOTEBOOK_SMALL", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own (inline) backend
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    code = [c for c in book.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.get("outputs", []) if o.output_type == "error"]
    drawing = [c for c in code if "fig = plot." in c.source]
    assert len(drawing) >= 2, f"{path.name}: expected figure cells"
    for cell in drawing:
        images = _images(cell)
        assert images, f"{path.name}: cell without a displayed figure:\n{cell.source}"
        assert all(i.startswith(PNG) and len(i) > 5_000 for i in images), cell.source
    assert os.environ["ZONESIM_NOTEBOOK_SMALL"] == "1"
