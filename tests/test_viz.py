"""The interactive view in a real headless browser: the page loads, a lever changes, a step updates a chart.

Starts ``solara run zonesim.report.app`` on 127.0.0.1 (a free port), drives Debian's Chromium
through Playwright, and stops the server. Needs /usr/bin/chromium (CI installs it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    solara = Path(sys.executable).with_name("solara")
    log = (tmp_path_factory.mktemp("solara") / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(solara),
            "run",
            "zonesim.report.app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--production",
            "--no-open",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "MPLBACKEND": "Agg"},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            assert proc.poll() is None, f"solara exited: {Path(log.name).read_text()[-2000:]}"
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "solara server did not start within 90 s"
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def _chart_sources(page) -> list[str]:
    # the charts: images rendered by matplotlib (blob: or data: urls, new on every redraw)
    return page.eval_on_selector_all("img", "els => els.filter(e => e.naturalWidth > 300).map(e => e.src)")


def test_page_loads_lever_changes_step_updates_chart(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as p:
        # a fresh profile per run: Playwright takes it as user_data_dir (not as --user-data-dir)
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            timeout=60_000,
            viewport={"width": 1400, "height": 1100},
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(server, wait_until="domcontentloaded")
            # loaded: the title, the sidebar controls and both charts of year 2020
            expect(page.get_by_text("zonesim: demonstration zones")).to_be_visible()
            expect(page.get_by_text("Simulated year: 2020")).to_be_visible()
            page.wait_for_function("() => [...document.images].filter(i => i.naturalWidth > 300).length >= 2")
            before = _chart_sources(page)
            assert len(before) == 2
            expect(page.get_by_text("levers: none")).to_be_visible()
            # what users complained of: slider values shown, zones by name, no "Page 0" tab
            expect(page.get_by_text("End year: 2025")).to_be_visible()
            expect(page.get_by_role("cell", name="Z04 Tangshan")).to_be_visible()
            assert page.get_by_text("Page 0").count() == 0

            # a lever: switch on the carbon price (settings from scenarios/carbon_price.yaml), rebuild
            page.get_by_text("add lever: carbon price").click()  # vuetify: the label takes the click
            expect(page.get_by_label("add lever: carbon price")).to_be_checked()
            page.get_by_role("button", name="Reset").click()
            expect(page.get_by_text("levers: carbon_price")).to_be_visible()
            # a lever with a main setting offers its slider, showing the value from its file
            page.get_by_text("add lever: coal reduction").click()
            expect(page.get_by_text("coal cut by its first target year, %:")).to_be_visible()
            page.get_by_text("add lever: coal reduction").click()  # off again for the step below

            # a step: one simulated year; the year and both charts change
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Simulated year: 2021")).to_be_visible()
            expect(page.get_by_text("Step: 1")).to_be_visible()
            page.wait_for_function(
                "old => { const s = [...document.images].filter(i => i.naturalWidth > 300).map(i => i.src);"
                " return s.length >= 2 && s.every(x => !old.includes(x)); }",
                arg=before,
            )
            after = _chart_sources(page)
            assert len(after) == 2 and not set(after) & set(before)
            page.screenshot(path=str(tmp_path / "view.png"))
        finally:
            page.screenshot(path=str(tmp_path / "last.png"))
            print(f"screenshot: {tmp_path / 'last.png'}")
            browser.close()
