"""What the static plots show, read from the figures' artists rather than pixels: every axis has a label
with a unit, no text is a raw key, bands are drawn and named in the legend, scenarios whose lines
coincide keep distinct styles, shares and differences are points with error bars, differences are
in the outcome's own unit. The dashboard's figures follow the same rules."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.text import Text

import sim.plotting
from sim import compare, compare_plots, plots
from sim.dashboard import views
from sim.dashboard.runs import Outcome
from sim.dashboard.state import RunSettings
from sim.runner import run_scenario
from sim.scenario import load

SCALE = 0.01
FAST = ["time.end_year=2016"]  # policy years 2020/2022: the scenarios coincide with the baseline, so lines overlap
SCENARIOS = ["baseline", "rent_subsidy_24_months", "subsidy_35_counterfactual"]
UNITS = ("persons", "households", "%", "tenge", "percentage points", "months")
RAW_KEY = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]+|\b[a-z_]+\.[a-z_]+\b")


@pytest.fixture
def drawn(monkeypatch):
    """Figures closed by `sim.plotting.finish`, kept for inspection (they are still saved)."""
    figs, close = [], sim.plotting.plt.close
    monkeypatch.setattr(sim.plotting.plt, "close", figs.append)
    yield figs
    for fig in figs:
        close(fig)


@pytest.fixture(scope="module")
def comparison():
    return compare.run_comparison(SCENARIOS, replicates=3, scale=SCALE, overrides=FAST)


@pytest.fixture(scope="module")
def table(comparison):
    return compare.compare_table(comparison)


@pytest.fixture
def compare_figures(comparison, table, drawn, tmp_path):
    names = compare_plots.write_plots(comparison, table, compare.annual_table(comparison), tmp_path)
    assert len(drawn) == len(names) and all((tmp_path / n).stat().st_size > 5000 for n in names)
    return dict(zip(names, drawn))


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]


def legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def check_axes_and_words(fig) -> None:
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        assert ax.get_xlabel(), ax.get_title()
        value_axis = ax.get_ylabel() or ax.get_xlabel()
        assert any(u in value_axis for u in UNITS), (ax.get_title(), value_axis)
        assert ax.get_title()
    for text in texts(fig):
        assert not RAW_KEY.search(text), text


def test_compare_figures_have_units_and_no_raw_keys(compare_figures):
    for name, fig in compare_figures.items():
        check_axes_and_words(fig)
        assert any("seed 0" in t and "3 replicates" in t for t in texts(fig)), name  # the source/seed note


def test_overlapping_scenarios_stay_distinguishable(compare_figures):
    ax = compare_figures["relocations_over_time.png"].axes[0]
    lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(lines) == 3
    styles = [(ln.get_color(), str(ln.get_linestyle()), ln.get_marker()) for ln in lines]
    for i in range(3):
        for j in range(i + 1, 3):
            assert all(a != b for a, b in zip(styles[i], styles[j])), (styles[i], styles[j])
    ref, others = lines[0], lines[1:]
    assert all(ref.get_linewidth() > o.get_linewidth() and ref.get_zorder() < o.get_zorder() for o in others)
    # the scenarios do not differ before their policy years: the legend says so instead of hiding it
    names = legend_texts(compare_figures["relocations_over_time.png"])
    assert "Baseline" in names and sum("(same as Baseline)" in n for n in names) == 2


def test_bands_are_drawn_and_named(compare_figures):
    for name in ("relocations_over_time.png", "employment_over_time.png", "returns_over_time.png", "budget_over_time.png"):
        fig = compare_figures[name]
        assert len(fig.axes[0].findobj(PolyCollection)) >= 3, name
        assert any(t == "shaded: 90% band over 3 replicates" for t in legend_texts(fig)), name


def test_shares_are_points_with_error_bars(compare_figures):
    by_group = compare_figures["outcomes_by_group.png"]
    shares = [ax for ax in by_group.axes if "(%)" in ax.get_ylabel()]
    assert len(shares) == 4
    for ax in shares:
        assert not [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len([c for c in ax.containers if isinstance(c, ErrorbarContainer)]) == 3
        # dodged: the scenarios' points of one group do not sit on the same x
        xs = [c.lines[0].get_xdata()[0] for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(set(np.round(xs, 6))) == 3
    assert any("error bars: 90% band over 3 replicates" in t for t in legend_texts(by_group))


def test_differences_are_in_each_outcomes_unit(compare_figures, table):
    fig = compare_figures["differences.png"]
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    assert len(panels) == len(compare.PRINTED)
    assert panels["Return share"].get_xlabel().endswith("(percentage points)")
    assert panels["Budget: subsidies paid"].get_xlabel().endswith("(million tenge)")
    assert panels["Relocated persons"].get_xlabel().endswith("(persons)")
    assert panels["Applications"].get_xlabel().endswith("(households)")
    for ax in panels.values():
        assert not [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len([c for c in ax.containers if isinstance(c, ErrorbarContainer)]) == 2
    row = table[(table["scenario"] == "subsidy_35_counterfactual") & (table["outcome"] == "subsidies_paid_tenge.total")].iloc[0]
    budget = [c for c in panels["Budget: subsidies paid"].containers if isinstance(c, ErrorbarContainer)][1]
    assert budget.lines[0].get_xdata()[0] == pytest.approx(row["diff_from_first"] / 1e6)


@pytest.mark.parametrize("replicates", [3, 1])
def test_run_plots_show_a_band_per_series(replicates, drawn, tmp_path):
    res = run_scenario(load("baseline", [f"population.scale={SCALE}", *FAST]), seed=0, replicates=replicates)
    plots.write_plots(res, tmp_path)
    assert len(drawn) == 4
    for fig in drawn:
        check_axes_and_words(fig)
        for ax in fig.axes:
            series = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
            bands = ax.findobj(PolyCollection)
            assert series, ax.get_title()
            assert len(bands) == (len(series) if replicates > 1 else 0), ax.get_title()
            has_note = any("90% band over 3 replicates" in t for t in legend_texts(fig))
            assert has_note == (replicates > 1)


def test_dashboard_figures_share_the_look(comparison, table):
    out = Outcome(RunSettings("rent_subsidy_24_months", (), 0, SCALE, 3), compare.Comparison(
        comparison.labels[:2], comparison.scenarios[:2], comparison.results[:2], comparison.seeds, comparison.seed,
        comparison.overrides, comparison.scale), table[table["scenario"].isin(comparison.labels[:2])])
    for fig in (views.relocations_figure(out), views.returns_figure(out), views.budget_figure(out)):
        fig.canvas.draw()
        check_axes_and_words(fig)
        ax = fig.axes[0]
        series = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
        assert len(ax.findobj(PolyCollection)) == len(series)
        assert "shaded: 90% band over 3 replicates" in legend_texts(fig)
    versus = views.budget_figure(out).axes[0].get_lines()
    assert [ln.get_label() for ln in versus] == ["Baseline", "Rent subsidy for 24 months"]
    assert versus[0].get_linewidth() > versus[1].get_linewidth()
