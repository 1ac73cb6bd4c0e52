"""How long the dashboard takes to answer: from pressing Run to the headline cards, in headless Chromium.

    python benchmarks/bench_dashboard.py [--scale 0.1] [--replicates 1 3] [--scenario baseline]

Starts `relocsim dashboard`'s server on a free loopback port, opens the page, sets the scale and the
replicates and presses Run; a fresh server has nothing cached, so each answer runs the scenario and
the baseline it is compared with. Then presses Run again with the same settings (served from the
cache). Needs /usr/bin/chromium. The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import socket
import subprocess
import time
import urllib.request

from sim.dashboard.cli import server_command, server_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _select(page, label: str, option) -> None:
    """Pick `option` (exact text, or a compiled pattern) in the select labelled `label`."""
    page.locator(".v-select", has=page.locator(f"label:text-is('{label}')")).first.locator(".v-field").click()
    text = page.get_by_text(option) if isinstance(option, re.Pattern) else page.get_by_text(option, exact=True)
    page.locator(".v-overlay--active .v-list-item", has=text).first.click()


def _answer(page, timeout_s: float = 600) -> float:
    """Seconds from pressing Run until the run's message says it finished."""
    before = page.locator(".run-message").all_inner_texts()
    t0 = time.perf_counter()
    page.locator(".run-button").click()
    while time.perf_counter() - t0 < timeout_s:
        now = page.locator(".run-message").all_inner_texts()
        if now and now != before and now[0].startswith("Finished"):
            page.locator(".card-relocated_persons .card-value").wait_for()
            return time.perf_counter() - t0
        time.sleep(0.05)
    raise TimeoutError("no answer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="0.1")
    ap.add_argument("--replicates", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--scenario", default="rent_subsidy_24_months")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = subprocess.Popen(server_command(port, "127.0.0.1", False), env=server_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    out = {"scale": float(args.scale), "scenario": args.scenario, "machine": platform.platform(), "answers": []}
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url)
            page.get_by_text("Levers").first.wait_for(timeout=60_000)
            out["page_load_s"] = round(time.perf_counter() - t0, 2)
            _select(page, "Scenario", re.compile(rf"\({re.escape(args.scenario)}\)$"))  # "Human name (file_name)"
            _select(page, "Scale (fraction of households simulated)", args.scale)
            for reps in args.replicates:
                field = page.get_by_label("Replicates")
                field.fill(str(reps))
                field.press("Enter")
                time.sleep(0.5)
                estimate = page.locator(".estimate").inner_text()
                first = _answer(page)
                cached = _answer(page)
                out["answers"].append({"replicates": reps, "fresh_s": round(first, 2), "cached_s": round(cached, 2),
                                       "estimate": estimate})
                print(f"replicates {reps}: {first:.1f} s fresh, {cached:.2f} s cached; page said: {estimate}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
