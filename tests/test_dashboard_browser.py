"""End to end in a real headless Chromium: `relocsim dashboard`'s server on a free loopback port, a
scenario chosen, a lever changed, a small run, the cards checked against `relocsim run` with the
same settings, the TOML downloaded and validated, then the page switched to Kazakh and Russian with the run
kept: translated headings, the same numbers in the locale's signs, no English words left and no card whose
text overflows. Any request that leaves 127.0.0.1 fails the test (the page must work offline). Saves
docs/img/dashboard.png and docs/img/dashboard-kk.png for the README.

Skips only when no Chromium is installed (Debian: apt-get install -y chromium chromium-driver).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from sim.cli import main
from sim.dashboard.cli import server_command, server_env
from sim import i18n
from sim.dashboard.app import LANGUAGE_LABEL
from sim.labels import RETURN_REASON_LABELS, format_value
from sim.scenario import load

ROOT = Path(__file__).resolve().parent.parent
# The README's screenshot is refreshed only when asked (RELOCSIM_SCREENSHOT=1), so a test run leaves
# the working tree clean; otherwise the screenshot goes to a temporary file.
SCREENSHOT = ROOT / "docs" / "img" / "dashboard.png"
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
CHROMIUM = next((c for c in CANDIDATES if c and os.path.exists(c)), None)
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
CARDS = ("relocated_persons", "returned_persons", "return_share", "employed_share_12m",
         "cost_per_retained_person_24m_tenge")
DEMAND_CARDS = ("applications_first_households", "waitlisted_households_end",
                "median_application_to_approval_months", "share_approved_within_1_month")
# a heading of each language, and English words that must be gone from the page (outside the command line)
HEADINGS = {"kk": "Адамдар неге және қашан қайта оралады", "ru": "Почему и когда люди возвращаются"}
ENGLISH = ("Relocated", "Returned", "Levers", "Download", "persons", "households", "baseline", "Scenario", "Share of",
           "replicate", "Demand", "months")
OVERFLOWING = """() => [...document.querySelectorAll('.headline, .headline *, .lever, .lever-group')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className + ': ' + e.innerText.slice(0, 60))"""
VISIBLE_TEXT = """() => { const b = document.body.cloneNode(true);
    b.querySelectorAll('.command-line, pre, .v-overlay-container, .language-select').forEach(e => e.remove());
    return b.innerText; }"""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (looked for /usr/bin/chromium and "
                                "chromium on PATH); install Debian's: apt-get install -y chromium chromium-driver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(server_command(port, "127.0.0.1", open_browser=False), env=server_env(), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"dashboard server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _select(page, label: str, option: str) -> None:
    """Pick an option of a Vuetify select by its label."""
    page.locator(".v-select", has=page.locator(f"label:text-is('{label}')")).first.locator(".v-field").click()
    item = page.locator(".v-overlay--active .v-list-item", has=page.get_by_text(option, exact=True)).first
    page.locator(".v-overlay--active .v-list-item").first.wait_for(timeout=10_000)
    for _ in range(40):  # the list renders only the items in view: scroll until the option is there
        if item.count():
            break
        page.locator(".v-overlay--active .v-list").first.evaluate("el => { el.scrollTop += 150; }")
        page.wait_for_timeout(100)
    item.click()


def test_dashboard_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else "127.0.0.1"
        if host != "127.0.0.1":
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    with sync_playwright() as p:
        # a fresh profile (Playwright passes it as --user-data-dir)
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS,
                                                       headless=True, viewport={"width": 1400, "height": 1000},
                                                       accept_downloads=True)
        context.route("**/*", guard)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("websocket", lambda ws: outside.append(ws.url) if "//127.0.0.1:" not in ws.url else None)
        failed: list[str] = []  # an asset the offline server lacks answers with an error
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(server)
        page.get_by_text("Levers").first.wait_for(timeout=60_000)

        _select(page, "Scenario", "Skills assessment (skills_assessment)")  # human name, then the file name
        page.get_by_text("Rent and utilities subsidy").click()
        months = page.get_by_label("Months paid (months)")
        months.fill("99")
        months.press("Enter")
        page.get_by_text("value 99 out of range; allowed: 0 to 60").wait_for(timeout=10_000)  # the validator's message
        assert page.locator(".run-button").is_disabled()
        months.fill("18")
        months.press("Enter")
        page.get_by_text("Rent and utilities subsidy (1 changed)").wait_for(timeout=10_000)
        _select(page, "Scale (fraction of households simulated)", "0.01")
        page.locator(".run-button").click()
        page.locator(".card-relocated_persons .card-value").wait_for(timeout=120_000)

        shown = {k: page.locator(f".card-{k} .card-value").inner_text().strip() for k in CARDS + DEMAND_CARDS}
        # returns by reason: a row per reason and the total, which is the returned persons of the card
        reasons = page.locator(".reasons-table tbody tr")
        reason_rows = [[c.strip() for c in reasons.nth(i).locator("td").all_inner_texts()] for i in range(reasons.count())]
        reason_figures = page.locator(".returns-section img").count()
        command = page.locator(".command-line").inner_text().strip()
        with page.expect_download() as download:
            page.get_by_text("Download scenario (TOML)").click()
        toml_path = tmp_path / "download.toml"
        download.value.save_as(toml_path)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.get_by_text("what a lever does").scroll_into_view_if_needed()  # the top: levers and cards
        shot = SCREENSHOT if os.environ.get("RELOCSIM_SCREENSHOT") == "1" else tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        # a bigger run goes to the background worker and can be cancelled; the shown results stay
        _select(page, "Scale (fraction of households simulated)", "0.2")
        page.locator(".run-button").click()
        page.locator(".cancel-button").click()
        page.get_by_text("Run cancelled.").wait_for(timeout=60_000)
        assert page.get_by_label("Months paid (months)").input_value() == "18"  # levers keep their state
        assert page.locator(".card-relocated_persons .card-value").inner_text().strip() == shown["relocated_persons"]
        in_language = {}
        for lang, name in (("kk", "Қазақша"), ("ru", "Русский")):   # the switch keeps the run on screen
            _select(page, LANGUAGE_LABEL, name)
            page.get_by_text(HEADINGS[lang]).first.wait_for(timeout=30_000)
            in_language[lang] = {k: page.locator(f".card-{k} .card-value").inner_text().strip() for k in CARDS}
            text = page.evaluate(VISIBLE_TEXT)
            assert [text[max(0, text.find(w) - 40):text.find(w) + 40] for w in ENGLISH if w in text] == [], lang
            assert page.evaluate(OVERFLOWING) == [], f"text overflows its card or lever in {lang}"
            with i18n.using(lang):   # the top, as in the English screenshot: levers and cards
                page.get_by_text(i18n._("South-North relocation programme: what a lever does")).scroll_into_view_if_needed()
            shot = SCREENSHOT.with_name(f"dashboard-{lang}.png")
            shot = shot if os.environ.get("RELOCSIM_SCREENSHOT") == "1" and lang == "kk" else tmp_path / shot.name
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        context.close()

    assert command == ("relocsim run skills_assessment --seed 0 --replicates 1 --scale 0.01 "
                       "--set rent_subsidy.months=18")
    out = tmp_path / "cli"
    assert main(shlex.split(command)[1:] + ["--out", str(out), "--quiet"]) == 0
    summary = json.loads(next(out.glob("*/summary.json")).read_text())
    for key in CARDS + DEMAND_CARDS:
        assert shown[key] == format_value(key, summary[key]), key
    for lang, cards in in_language.items():   # the same numbers as relocsim run, written the locale's way
        with i18n.using(lang):
            assert cards == {k: format_value(k, summary[k]) for k in CARDS}, lang
    assert [r[0] for r in reason_rows] == [*RETURN_REASON_LABELS.values(), "All reasons"]
    by_reason = summary["returned_persons_by_reason"]
    assert [r[1] for r in reason_rows] == [format_value("returned_persons", by_reason[k]) for k in RETURN_REASON_LABELS] + [
        shown["returned_persons"]]
    assert reason_figures == 2, "the reasons section draws returns per year by reason and by months since arrival"
    # the downloaded file is a valid scenario that runs the same: same resolved levers, same summary
    sc = load(toml_path)
    assert sc.get("rent_subsidy.months") == 18 and sc.data == load("skills_assessment", [
        "rent_subsidy.months=18", "population.scale=0.01"]).data
    again = tmp_path / "again"
    assert main(["run", str(toml_path), "--seed", "0", "--out", str(again), "--quiet"]) == 0
    summary2 = json.loads(next(again.glob("*/summary.json")).read_text())
    assert {k: summary2[k] for k in CARDS} == {k: summary[k] for k in CARDS}
    assert outside == [], f"requests left the machine: {outside}"
    assert failed == [], f"requests the local server could not answer: {failed}"
