"""Two browser sessions on one `relocsim dashboard --runs 1` in a real headless Chromium, with two
busy cores (issue 23): the second session's run waits in the queue with its place shown; pressing
Cancel in the first answers within 2 s; each page shows its own results, equal to those the run
manager computes for its settings; after SIGTERM no process of the dashboard is left.

Skips when no Chromium is installed (Debian: apt-get install -y chromium chromium-driver).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from sim.dashboard.runs import RunService
from sim.dashboard.state import RunSettings
from sim.labels import format_value
from test_dashboard_browser import ARGS, CHROMIUM, _select
from test_dashboard_lifecycle import alive, can_bind, free_port, start_dashboard, tree

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found; install Debian's: "
                                                   "apt-get install -y chromium chromium-driver")]
SCALE_CHOICE = "Scale (fraction of households simulated)"


def open_page(browser, url: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()   # a session of its own
    page.goto(url, timeout=120_000)
    page.get_by_text("Levers").first.wait_for(timeout=60_000)
    return page


def busy(n: int = 2) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_two_sessions_queue_cancel_and_keep_their_own_results():
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_dashboard(port, "--runs", "1")
    procs, load = [], []
    try:
        url = f"http://127.0.0.1:{port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            first, second = open_page(browser, url), open_page(browser, url)
            load = busy()                                # from here on, two cores are busy
            _select(first, SCALE_CHOICE, "0.2")          # a long run that takes the only slot
            _select(second, SCALE_CHOICE, "0.01")
            second.get_by_label("Seed").fill("3")
            second.get_by_label("Seed").press("Enter")
            first.locator(".run-button").click()
            first.locator(".cancel-button:not([disabled])").wait_for(timeout=30_000)
            second.locator(".run-button").click()
            second.get_by_text("Waiting in the queue: position 1").wait_for(timeout=30_000)
            time.sleep(1.0)                              # the first run is under way
            procs = tree(proc.pid)                       # the server, its fork server and the run process
            t0 = time.monotonic()
            first.locator(".cancel-button").click()
            first.get_by_text("Run cancelled.").wait_for(timeout=10_000)
            answered = time.monotonic() - t0
            second.locator(".card-relocated_persons .card-value").wait_for(timeout=120_000)
            shown_second = second.locator(".card-relocated_persons .card-value").inner_text().strip()
            # the first session runs again, small now; the second's results stay as they were
            _select(first, SCALE_CHOICE, "0.01")
            first.locator(".run-button").click()
            first.locator(".card-relocated_persons .card-value").wait_for(timeout=120_000)
            shown_first = first.locator(".card-relocated_persons .card-value").inner_text().strip()
            assert second.locator(".card-relocated_persons .card-value").inner_text().strip() == shown_second
            browser.close()
        for b in load:
            b.kill()
        print(f"browser: Cancel answered in {answered:.2f} s with two busy cores")
        assert answered < 2.0, answered
        assert len(procs) >= 3, procs
        expected = {}
        for seed in (0, 3):
            job = RunService(slots=1).run(RunSettings("baseline", (), seed, 0.01, 1))
            expected[seed] = format_value("relocated_persons", job.outcome.result.summaries[0]["relocated_persons"])
        assert (shown_first, shown_second) == (expected[0], expected[3])
        procs = tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        deadline = time.monotonic() + 10
        while alive(procs) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(procs) == [] and can_bind(port)
    finally:
        for b in load:
            b.kill()
        for p in alive(procs):
            p.kill()
        if proc.poll() is None:
            proc.kill()
