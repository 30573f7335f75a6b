"""Screenshots of what users see, for the README: the compare report's first screen and the
Solara view, taken in headless Chromium (Debian's /usr/bin/chromium) through Playwright.

    .venv/bin/python scripts/screenshots.py --report results/levers_report/report.html

writes ``docs/img/compare_report.png`` (the first screen of the report: summary, ranked levers,
who meets which target) and ``docs/img/solara_view.png`` (the interactive view after one
simulated year with the carbon-price lever on). Without ``--report`` only the view is taken;
``--no-view`` skips it. Build the report first, e.g.::

    zonesim batch experiments/lever_comparison.yaml --out results/levers
    zonesim compare --store results/levers --out results/levers_report
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _browser(playwright, profile: Path):
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=FLAGS,
        headless=True,
        timeout=120_000,
        viewport={"width": 1400, "height": 1000},
    )


def report_shot(report: Path, out: Path) -> Path:
    """The report's first screen (1400 x 1000 px) as it opens in a browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        browser = _browser(p, Path(profile))
        try:
            page = browser.new_page()
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.get_by_role("heading", name="Levers ranked").wait_for()
            page.screenshot(path=str(out))
        finally:
            browser.close()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def view_shot(out: Path, timeout_s: float = 600) -> Path:
    """The Solara view, served locally, after switching on a lever and stepping one year."""
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    solara = Path(sys.executable).with_name("solara")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    cmd = [str(solara), "run", "zonesim.report.app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--production", "--no-open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError("solara exited before serving the view")
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"solara did not serve {url} within {timeout_s:.0f} s") from None
                time.sleep(1)
        expect.set_options(timeout=timeout_s * 1000)
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            browser = _browser(p, Path(profile))
            try:
                page = browser.new_page()
                page.set_default_timeout(timeout_s * 1000)
                page.goto(url, wait_until="domcontentloaded")
                expect(page.get_by_text("Simulated year: 2020")).to_be_visible()
                page.get_by_text("add lever: carbon price").click()
                page.get_by_role("button", name="Reset").click()
                expect(page.get_by_text("levers: carbon_price")).to_be_visible()
                page.get_by_role("button", name="Step").click()
                expect(page.get_by_text("Simulated year: 2021")).to_be_visible()
                page.wait_for_function(
                    "() => [...document.images].filter(i => i.naturalWidth > 300).length >= 2"
                )
                page.screenshot(path=str(out))
            finally:
                browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, help="report.html written by zonesim compare")
    ap.add_argument("--no-view", action="store_true", help="skip the Solara view")
    ap.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default docs/img)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report:
        print(f"wrote {report_shot(args.report, args.out / 'compare_report.png')}")
    if not args.no_view:
        print(f"wrote {view_shot(args.out / 'solara_view.png')}")


if __name__ == "__main__":
    main()
