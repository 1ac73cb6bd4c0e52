"""The dashboard's state logic without a browser: levers from the schema round-trip to a valid
scenario, validation messages land beside the lever they name, cache keys, the TOML download, and
the numbers the page shows equal those of `relocsim run` with the same settings."""

from __future__ import annotations

import dataclasses
import json
import shlex

import pytest

from sim.cli import main
from sim.dashboard import demand, export, geo, returns, state, views
from sim.dashboard.runs import RunService, ensemble_for
from sim.dashboard.state import RunSettings
from sim.labels import RETURN_REASON_LABELS, format_difference, format_value
from sim.regions import DESTINATIONS, ORIGINS
from sim.runner import run_scenario
from sim.scenario import load
from sim.schema import SCHEMA

SCALE = 0.01


@pytest.fixture(scope="module")
def baseline_levers():
    return state.levers("baseline")


def test_levers_follow_the_schema(baseline_levers):
    keys = {lev.key for lev in baseline_levers}
    sc = load("baseline")
    groups = state.groups(baseline_levers)
    # every schema group a scenario fills has widgets, in the schema's order; run settings are not levers
    assert list(groups) == [k for k in SCHEMA.fields if k in groups]
    assert {"rent_subsidy", "quotas", "delays", "behaviour", "mci_tenge"} <= set(groups)
    assert "population.scale" not in keys and "name" not in keys
    for lev in baseline_levers:
        assert sc.get(lev.key) == lev.value, lev.key          # widgets start at the scenario's values
        assert lev.help and lev.label and lev.group_title
        if lev.choices:
            assert lev.value in lev.choices
        else:
            assert lev.lo <= lev.value <= lev.hi and f"Allowed {lev.lo:g} to {lev.hi:g}" in lev.help
    months = next(lev for lev in baseline_levers if lev.key == "rent_subsidy.months")
    assert months.integer and months.unit == "months" and "IOM 3.4.5" in months.help
    assert next(lev for lev in baseline_levers if lev.key == "quotas.kostanay.2017").label == "Kostanay region, from 2017"


def test_changed_widgets_round_trip_to_a_valid_scenario(baseline_levers):
    values = {lev.key: lev.value for lev in baseline_levers}
    assert state.overrides(baseline_levers, values) == []   # nothing changed, nothing to --set
    changes = {"rent_subsidy.months": 18, "repayment.rule": "relocation", "relocation_subsidy.mci_per_member.2020": 80,
               "housing.provided_share.kostanay": 0.3, "quotas.pavlodar.2017": 2000, "behaviour.adapt_base": -1.2,
               "delays.moving.less_than_month": 0.7, "delays.moving.1_3_months": 0.3}
    values.update(changes)
    ov = state.overrides(baseline_levers, values)
    assert len(ov) == len(changes)
    assert state.problems("baseline", ov) == {}
    sc = load("baseline", ov)
    for key, v in changes.items():
        assert sc.get(key) == v, key
    assert "adapt_base" in sc.explicit_behaviour  # a changed behavioural parameter holds for every replicate


def test_validator_messages_go_beside_their_lever(baseline_levers):
    found = state.problems("baseline", ["rent_subsidy.months=99", "delays.moving.less_than_month=0.5"])
    assert state.messages_for("rent_subsidy.months", found) == ["value 99 out of range; allowed: 0 to 60"]
    # a probability table that no longer sums to 1 is shown beside each of its categories
    assert any("sum" in m for m in state.messages_for("delays.moving.1_3_months", found))
    assert state.messages_for("rent_subsidy.urban_mci_small", found) == []
    assert state.problems("baseline", ["rent_subsidy.months=18"]) == {}


def test_cache_key_names_the_run():
    a = RunSettings("baseline", ("rent_subsidy.months=18", "repayment.rule=none"), 1, 0.05, 2)
    assert a.key() == RunSettings("baseline", ("repayment.rule=none", "rent_subsidy.months = 18.0"), 1, 0.05, 2).key()
    for other in (RunSettings("baseline", ("rent_subsidy.months=19", "repayment.rule=none"), 1, 0.05, 2),
                  RunSettings("support_2024", a.overrides, 1, 0.05, 2), RunSettings("baseline", a.overrides, 2, 0.05, 2),
                  RunSettings("baseline", a.overrides, 1, 0.1, 2), RunSettings("baseline", a.overrides, 1, 0.05, 3)):
        assert other.key() != a.key()
    assert a.baseline().key() == ("baseline", (), 1, 0.05, 2, "posterior")


def test_command_line_is_what_relocsim_run_parses():
    s = RunSettings("support_2024", ("rent_subsidy.months=18", "repayment.rule=relocation"), 4, 0.02, 3)
    cmd = state.command_line(s)
    assert cmd == ("relocsim run support_2024 --seed 4 --replicates 3 --scale 0.02 "
                   "--set rent_subsidy.months=18 --set repayment.rule=relocation")


def test_estimate_grows_with_work_and_is_zero_when_cached():
    one = state.estimate_seconds(132, 0.1, 1)
    assert state.estimate_seconds(132, 0.1, 3) > one and state.estimate_seconds(132, 0.2, 1) > one
    assert state.estimate_seconds(132, 0.1, 1, runs=1) < one


@pytest.fixture(scope="module")
def service():
    return RunService()


@pytest.fixture(scope="module")
def finished(service):
    s = RunSettings("skills_assessment", ("rent_subsidy.months=18",), 0, SCALE, 1)
    job = service.run(s)
    assert job.status == "done", job.error
    return job


def test_page_numbers_equal_relocsim_run(finished, tmp_path):
    """The cards show what `relocsim run` with the page's command line writes to summary.json."""
    s = finished.settings
    args = shlex.split(state.command_line(s))[1:] + ["--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    summary = json.loads(next(tmp_path.glob("*/summary.json")).read_text())
    shown = {c.key: c.value for c in views.cards(finished.outcome)}
    for key in ("relocated_persons", "returned_persons", "return_share", "employed_share_12m",
                "cost_per_retained_person_24m_tenge"):
        assert shown[key] == format_value(key, summary[key]), key
    assert shown[views.BUDGET] == format_value(views.BUDGET, sum(summary["subsidies_paid_tenge"].values()))
    assert finished.outcome.result.summaries[0]["relocated_persons"] == summary["relocated_persons"]


def test_difference_is_paired_with_the_baseline(finished):
    out = finished.outcome
    base = run_scenario(load("baseline", [f"population.scale={SCALE!r}"]), seed=0, replicates=1, ensemble=ensemble_for("posterior"))
    assert out.baseline.summaries[0]["returned_persons"] == base.summaries[0]["returned_persons"]
    assert out.baseline.parameter_sets == out.result.parameter_sets  # same parameter draws
    card = next(c for c in views.cards(out) if c.key == "returned_persons")
    diff = out.result.summaries[0]["returned_persons"] - base.summaries[0]["returned_persons"]
    assert card.difference == views.format_difference("returned_persons", diff)
    assert card.band == "one replicate: no band"


def test_cached_runs_cost_nothing_and_cancel_stops(service, finished):
    again = service.submit(finished.settings).wait()
    assert again.status == "done" and again.total_months == 0   # both runs came from the cache
    assert again.outcome.result is finished.outcome.result
    s = RunSettings("baseline", ("rent_subsidy.months=6",), 0, 0.05, 2)
    job = service.submit(s)
    job.cancel()
    job.wait()
    assert job.status == "cancelled" and job.done_months < job.total_months
    assert service.cached(s) is None


def test_cache_drops_the_least_recently_used():
    svc = RunService(cache_size=2)
    runs = [RunSettings("baseline", (f"rent_subsidy.months={m}",), 0, SCALE, 1) for m in (6, 7)]
    for s in runs:
        svc._store(s, object())
    svc.cached(runs[0])
    svc._store(RunSettings("baseline", (), 0, SCALE, 1), object())
    assert svc.cached(runs[0]) is not None and svc.cached(runs[1]) is None


def test_invalid_levers_fail_the_job_before_running(service):
    job = service.submit(RunSettings("baseline", ("rent_subsidy.months=99",), 0, SCALE, 1))
    assert job.status == "failed" and "allowed: 0 to 60" in job.error[0] and job.total_months == 0


def _run_file(path, s: RunSettings):
    return run_scenario(load(path), seed=s.seed, replicates=s.replicates, ensemble=ensemble_for(s.parameters)).summaries


def test_toml_download_validates_and_reproduces_the_run(finished, tmp_path):
    s = finished.settings
    text, same = export.scenario_toml(s)
    path = tmp_path / "download.toml"
    path.write_text(text)
    assert same and load(path).data == s.load().data
    assert _run_file(path, s) == finished.outcome.result.summaries


def test_toml_download_of_a_policy_year_scenario(tmp_path):
    s = RunSettings("rent_subsidy_24_months", (), 0, SCALE, 1)
    text, same = export.scenario_toml(s)
    path = tmp_path / "download.toml"
    path.write_text(text)
    assert same and "starts = 2022" in text
    assert _run_file(path, s) == run_scenario(s.load(), seed=0, ensemble=ensemble_for(s.parameters)).summaries
    changed = RunSettings("rent_subsidy_24_months", ("rent_subsidy.months=18",), 0, SCALE, 1)
    text, same = export.scenario_toml(changed)
    assert not same and "Note: the changed levers apply here from 2022" in text
    path.write_text(text)
    assert load(path).get("rent_subsidy.months") == 18


def test_results_csv_and_map(finished):
    import io

    import pandas as pd

    table = pd.read_csv(io.StringIO(export.results_csv(finished.outcome.table)))
    row = table.set_index("outcome").loc["return_share"]
    assert row["label"] == "Return share" and row["unit"] == "%" and row["difference_shown"].endswith(" pp")
    flows = geo.mean_flows(finished.outcome.result.flows_long(), 1)
    assert flows["persons"].sum() == pytest.approx(finished.outcome.result.summaries[0]["relocated_persons"])
    where = geo.centres()
    assert set(ORIGINS) | set(DESTINATIONS) <= set(where)
    assert geo.flow_map(flows).axes  # draws without a download
    groups = views.group_table(finished.outcome)
    assert set(groups["Characteristic"]) == {"Gender", "Marital status", "Age group", "Education"}


def test_lever_labels_and_units_come_from_labels():
    from sim.labels import lever_group, lever_label, lever_unit

    assert lever_group("rent_subsidy.months") == "Rent and utilities subsidy"
    assert lever_label("delays.documents.1_3_months") == "Time to collect documents: 1-3 months"
    assert lever_label("mci_tenge.2020") == "Tenge per MCI, from 2020"
    assert lever_label("housing.provided_share.abay") == "Share housed by the authorities, Abay region"
    assert lever_unit("MCI per family member") == "MCI" and lever_unit("share of arrivals") == "share 0-1"


def test_dashboard_command_is_registered():
    from sim.cli import build_parser as _parser
    from sim.dashboard.cli import cmd_dashboard, server_command, server_env

    args = _parser().parse_args(["dashboard", "--port", "8800", "--host", "127.0.0.1", "--no-browser"])
    assert args.func is cmd_dashboard and args.port == 8800 and args.no_browser
    cmd = server_command(8800, "127.0.0.1", open_browser=False)
    assert cmd[cmd.index("--port") + 1] == "8800" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert "--no-open" in cmd and "--no-check-version" in cmd  # nothing is fetched from the internet
    assert server_env()["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert server_env()["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")


# --------------------------------------------------------------------------- returns by reason, demand, picker

@pytest.fixture(scope="module")
def two_replicates(service):
    job = service.run(RunSettings("rent_subsidy_24_months", (), 0, SCALE, 2))
    assert job.status == "done", job.error
    return job.outcome


def _persons(text: str) -> int:
    assert text.endswith(" persons"), text
    return int(text.removesuffix(" persons").replace(",", "").replace("+", ""))


def test_reasons_shown_sum_to_the_returned_persons_shown(finished, two_replicates):
    for out in (finished.outcome, two_replicates):
        rows = returns.reason_rows(out)
        *reasons, total = rows
        assert [r.reason for r in reasons] == list(RETURN_REASON_LABELS) and total.title == "All reasons"
        card = next(c for c in views.cards(out) if c.key == "returned_persons")
        assert total.value == card.value and total.difference == card.difference
        assert sum(r.persons for r in reasons) == pytest.approx(total.persons)
        assert total.persons > 0 and any(r.persons > 0 for r in reasons)
        # the monthly series by reason add up to the returns by destination, year by year
        by_reason = sum(returns.yearly_by_reason(out).values())
        by_destination = views.yearly(out.result, [c for c in out.result.monthly[0] if c.startswith("returns_persons_")])
        assert (by_reason == by_destination).all().all()
    # one replicate: whole persons, so the shown numbers add up exactly
    *reasons, total = returns.reason_rows(finished.outcome)
    assert sum(_persons(r.value) for r in reasons) == _persons(total.value)
    assert sum(_persons(r.difference) for r in reasons) == _persons(total.difference)
    table = returns.reason_table(finished.outcome)
    assert list(table["Reason"]) == [*RETURN_REASON_LABELS.values(), "All reasons"]
    assert "paired 90% band" in returns.reason_table(two_replicates).columns


def test_return_figures_have_a_line_per_reason_and_both_runs(two_replicates):
    fig = returns.reasons_figure(two_replicates)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [*RETURN_REASON_LABELS.values(),
                                                                     "shaded: 90% band over 2 replicates"]
    assert len(ax.collections) == len(RETURN_REASON_LABELS)  # one band per reason
    prof = returns.profile(two_replicates, "scenario")
    assert list(prof.index) == [6, 12, 24, 36, 60] and ((prof["low"] <= prof["mean"]) & (prof["mean"] <= prof["high"])).all()
    legend = returns.profile_figure(two_replicates).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Baseline", "Rent subsidy for 24 months"]


def _with_binding(out, base: float, this: float):
    """The outcome with the runs' quota_binding_share replaced, as if their quotas had bound (or not)."""
    from sim.compare import compare_table
    from sim.dashboard.runs import Outcome

    results = [dataclasses.replace(res, summaries=[{**s, "quota_binding_share": v} for s in res.summaries])
               for res, v in zip(out.comparison.results, (base, this))]
    comp = dataclasses.replace(out.comparison, results=results)
    return Outcome(out.settings, comp, compare_table(comp))


def test_quota_notice_appears_exactly_when_quotas_bind(finished):
    from sim.compare import BINDING, RATIONING, quotas_bind, rationed_shares

    real = finished.outcome
    assert (demand.quota_notice(real) is None) == (not any(quotas_bind(real.comparison).values()))
    cases = [(0.1, 0.2), (BINDING, 0.2), (0.2, 0.9), (0.8, 0.95), (BINDING - 0.01, BINDING - 0.001)]
    for base, this in cases:
        out = _with_binding(real, base, this)
        binds = quotas_bind(out.comparison)
        notice = demand.quota_notice(out)
        assert (notice is not None) == (binds["baseline"] or binds["scenario"]), (base, this)
        status = demand.quota_status(out)
        rationed = max(rationed_shares(out.comparison).values()) >= RATIONING
        assert ("slack" in status) == (notice is None and not rationed)
        assert ("ration part of demand" in status) == (notice is None and rationed)
        if notice:
            assert ("the baseline" in notice) == binds["baseline"]
            assert ("Skills assessment" in notice) == binds["scenario"]
            assert "wait-list" in notice and "not relocations" in notice
    # the baseline compared with itself is one run: named once
    own = dataclasses.replace(real, settings=RunSettings("baseline", (), 0, SCALE, 1))
    assert demand.quota_notice(_with_binding(own, 0.9, 0.9)).count("the baseline") == 1


def test_demand_cards_show_the_demand_side_with_paired_differences(finished, two_replicates):
    for out in (finished.outcome, two_replicates):
        shown = {c.key: c for c in demand.demand_cards(out)}
        assert list(shown) == list(demand.DEMAND_CARDS)
        for key, c in shown.items():
            this = [s[key] for s in out.result.summaries]
            base = [s[key] for s in out.baseline.summaries]
            assert c.value == format_value(key, sum(this) / len(this)), key
            assert c.difference == format_difference(key, sum(t - b for t, b in zip(this, base)) / len(this)), key
    assert shown["median_application_to_approval_months"].value.endswith(" months")
    assert shown["share_approved_within_1_month"].difference.endswith(" pp")


def test_scenario_picker_shows_human_names_with_the_file_name():
    choices = state.scenario_choices()
    assert list(choices.values()) == state.scenario_names()   # every shipped scenario, once
    assert choices["Rent subsidy for 24 months (rent_subsidy_24_months)"] == "rent_subsidy_24_months"
    assert choices["Baseline (baseline)"] == "baseline"
    for title, name in choices.items():
        assert title == state.scenario_title(name) and title.endswith(f"({name})") and not title.startswith(name)


def _widgets_with_class(widget, name: str) -> list:
    import ipywidgets

    classes = (getattr(widget, "class_", None) or "") + " " + (getattr(widget, "attributes", None) or {}).get("class", "")
    found = [widget] if name in classes.split() else []
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, ipywidgets.Widget):
            found += _widgets_with_class(child, name)
    return found


def test_page_shows_the_quota_notice_exactly_when_quotas_bind(finished):
    """The page component itself (rendered without a browser): the warning is there exactly when
    sim.compare.quotas_bind says the baseline's or the scenario's quotas bind."""
    import solara

    from sim.compare import quotas_bind
    from sim.dashboard import app

    for base, this in ((0.1, 0.2), (0.7, 0.2), (0.2, 0.6)):
        out = _with_binding(finished.outcome, base, this)
        box, _ = solara.render(app.Results(out), handle_error=False)
        notices = _widgets_with_class(box, "note-warning")
        shown = [w for w in notices if "Quotas bind" in str(w.children)]
        assert len(shown) == int(any(quotas_bind(out.comparison).values())), (base, this)
        assert len(_widgets_with_class(box, "reasons-table")) == 1 and len(_widgets_with_class(box, "quota-status")) == 1
