"""brief.html: a comparison on one A4 page that a planner can print and pass up the line, in the chosen language.

It says what was asked (the scenarios and the levers that differ, in words), the headline differences with
their paired 90% bands and what they mean, shows two plots, lists the caveats the model knows (quotas that
ration demand, parameters that are assumed rather than estimated, outcomes a lever cannot move here) and ends
with the seed, the scenario files, the version and the command that reproduces it. It is one self-contained
file: the plots are inline PNG, the style is inline CSS with system fonts, there are no scripts, so it
renders and prints without a network.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import shlex
from typing import Callable, Sequence

import pandas as pd

from sim import __version__
from sim.comparison import PRINTED, Comparison
from sim.i18n import _, date, language, localise_number, number
from sim.labels import format_difference, format_value, label, lever_group, lever_label, scenario_label
from sim.schema import BEHAVIOUR

BRIEF = "brief.html"
MAX_LEVERS = 10     # levers listed in the question; the rest are counted

CSS = """
@page { size: A4; margin: 10mm 12mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8pt; line-height: 1.2; color: #111;
       max-width: 182mm; margin: 0 auto; }
h1 { font-size: 13pt; margin: 0 0 1mm 0; } h2 { font-size: 10pt; margin: 2mm 0 0.5mm 0; border-bottom: 1px solid #999; }
p, ul { margin: 0.8mm 0; } ul { padding-left: 5mm; } li { margin: 0.5mm 0; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; table-layout: fixed; }
th, td { border-bottom: 1px solid #ddd; padding: 0.5mm 1.2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { font-size: 7pt; } td.n { text-align: right; } th.o { width: 22%; } th.v { width: 13%; } th.d { width: 17%; }
.band { display: block; font-size: 7pt; color: #444; }
.plots { display: flex; gap: 3mm; margin-top: 1mm; } .plots img { width: 49%; height: auto; }
pre { white-space: pre-wrap; word-break: break-all; font-size: 7.5pt; background: #f4f4f4; padding: 1.5mm; margin: 1mm 0; }
.small { font-size: 7.5pt; color: #444; }
@media print { h2 { break-after: avoid; } .plots, table { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _value(v) -> str:
    """A lever's value in words: numbers in the locale's signs, choices and tables as the schema spells them."""
    if isinstance(v, bool) or v is None:
        return _e(_("yes") if v else _("no")) if isinstance(v, bool) else "—"
    if isinstance(v, (int, float)):
        return localise_number(f"{v:,g}")
    return _(str(v))


def levers_changed(comp: Comparison, differences: dict[str, dict[str, dict]]) -> list[str]:
    """Per other scenario, its levers that differ from the first, in words: "Rent and utilities subsidy: Months
    paid: 12 → 24"."""
    out = []
    for lab in comp.labels[1:]:
        items = [f"{lever_group(k)}: {lever_label(k)}: {_value(d['first'])} → {_value(d['this'])}"
                 for k, d in differences[lab].items() if not k.startswith("population.scale")]
        more = len(items) - MAX_LEVERS
        items = items[:MAX_LEVERS] + ([_("and {n} more").format(n=more)] if more > 0 else [])
        out.append((lab, items))
    return out


def meaning(row: pd.Series, replicates: int) -> str:
    """What a paired difference says: beyond chance up or down, no clear difference, or none at all."""
    d, lo, hi = (float(row[k]) for k in ("diff_from_first", "diff_low", "diff_high"))
    if not all(map(math.isfinite, (d, lo, hi))):
        return _("not defined in every replicate")
    if d == lo == hi == 0:
        return _("the same in every replicate: the levers changed do not move it")
    if replicates < 2:
        return _("one replicate: no band; run more replicates to judge")
    if lo > 0:
        return _("higher, beyond chance (the 90% band excludes zero)")
    if hi < 0:
        return _("lower, beyond chance (the 90% band excludes zero)")
    return _("no clear difference (the 90% band includes zero)")


def _headline(comp: Comparison, table: pd.DataFrame, names: Callable[[str], str]) -> str:
    first, n = comp.labels[0], len(comp.seeds)
    parts = []
    for lab in comp.labels[1:]:
        heads = zip(("o", "v", "v", "d", "m"), (_("Outcome"), names(first), names(lab), _("Difference [90% band]"),
                                                 _("What it means")))
        rows = ["<tr>" + "".join(f"<th class='{c}'>{_e(h)}</th>" for c, h in heads) + "</tr>"]
        for outcome in PRINTED:
            sel = table[table["outcome"] == outcome].set_index("scenario")
            if sel.empty:
                continue
            a, b = sel.loc[first], sel.loc[lab]
            band = (f"<span class='band'>[{_e(format_difference(outcome, b['diff_low']))}, "
                    f"{_e(format_difference(outcome, b['diff_high']))}]</span>" if n > 1 else "")
            rows.append(f"<tr><td>{_e(label(outcome).text)}</td><td class='n'>{_e(format_value(outcome, a['mean']))}</td>"
                        f"<td class='n'>{_e(format_value(outcome, b['mean']))}</td>"
                        f"<td class='n'>{_e(format_difference(outcome, b['diff_from_first']))}{band}</td>"
                        f"<td>{_e(meaning(b, n))}</td></tr>")
        parts.append(f"<table>{''.join(rows)}</table>")
    return "".join(parts)


def unmoved(comp: Comparison, table: pd.DataFrame) -> dict[str, list[str]]:
    """Per other scenario, the headline outcomes that are the same as the first's in every replicate."""
    out = {}
    for lab in comp.labels[1:]:
        rows = table[(table["scenario"] == lab) & table["outcome"].isin(PRINTED)]
        same = rows[(rows["diff_low"] == 0) & (rows["diff_high"] == 0)]
        out[lab] = [label(o).text for o in same["outcome"]]
    return out


def caveats(comp: Comparison, table: pd.DataFrame, names: Callable[[str], str]) -> list[str]:
    """What the model knows limits the reading: quotas, assumed parameters, outcomes a lever cannot move, few replicates."""
    from sim.compare import binding_note, binding_shares, quotas_bind, rationed_shares

    shares, rationed, binds = binding_shares(comp), rationed_shares(comp), quotas_bind(comp)
    notes: dict[str, list[str]] = {}   # scenarios whose quotas read the same share one caveat
    for lab in comp.labels:
        notes.setdefault(binding_note(binds[lab], rationed[lab]), []).append(_(
            "{scenario}: {binding} of the quota lay in destination-years where it bound, {rationed} of attempts to choose "
            "a region were deferred for want of quota room").format(
            scenario=names(lab), binding=number(100 * shares[lab], ".0f") + "%", rationed=number(100 * rationed[lab], ".0f") + "%"))
    out = [f"{note[:1].upper()}{note[1:]} ({'; '.join(where)})." for note, where in notes.items()]
    sources = [spec.source for spec in BEHAVIOUR.fields.values()]
    assumed = sum(1 for s in sources if s.startswith("assumed"))
    out.append(_("{assumed} of the model's {total} behavioural parameters are assumed, not estimated from data, and "
                 "the share of households that give up considering cannot be told apart from the chance of starting "
                 "to consider; the 90% bands show chance and the spread of the calibrated ensemble, not that "
                 "uncertainty.").format(assumed=assumed, total=len(sources)))
    if comp.parameters == "defaults":
        out.append(_("These runs used the schema's default parameters, not the calibrated ensemble."))
    for lab, outcomes in unmoved(comp, table).items():
        if outcomes:
            out.append(_("{scenario} leaves these outcomes the same as {reference} in every replicate, so its levers "
                         "cannot move them here: {outcomes}.").format(scenario=names(lab), reference=names(comp.labels[0]),
                                                                       outcomes="; ".join(outcomes)))
    if len(comp.seeds) < 5:
        out.append(_("Only {n} replicate(s): the bands are rough; use at least 5 for a decision.").format(n=len(comp.seeds)))
    out.append(_("Scale {scale}: that fraction of households is simulated and totals are scaled up.").format(
        scale=localise_number(f"{comp.scale:g}")))
    return out


def _png(draw: Callable[[io.BytesIO], None]) -> str:
    buf = io.BytesIO()
    draw(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plots(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame) -> list[tuple[str, str]]:
    """(alt text, data URL) of the relocations over time and of the paired differences."""
    from sim import compare_plots
    from sim.plotting import styles

    style = styles(comp.labels)
    return [(_("Relocated persons per year"), _png(lambda b: compare_plots.relocations(comp, annual, style, b))),
            (_("Differences from the first scenario"), _png(lambda b: compare_plots.differences(comp, table, style, b)))]


def render(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, commands: Sequence[str],
           names: Callable[[str], str] = scenario_label) -> str:
    """The brief as one HTML document (see the module's docstring); `commands`: the command lines that reproduce it."""
    from sim.compare import scenario_differences

    first = names(comp.labels[0])
    others = ", ".join(names(lab) for lab in comp.labels[1:])
    asked = _("What changes if the programme runs as {others} instead of {first}?").format(others=others, first=first)
    question = [f"<p>{_e(asked)}</p>"]
    for lab, items in levers_changed(comp, scenario_differences(comp)):
        head = _("{scenario} differs from {reference} in these levers:").format(scenario=names(lab), reference=first)
        none = _("no lever: the same scenario")
        question.append(f"<p>{_e(head)} {_e('; '.join(items) or none)}.</p>")
    figures = "".join(f"<img alt='{_e(alt)}' src='{url}'>" for alt, url in plots(comp, table, annual))
    files = "; ".join(f"{names(lab)}: {sc.source}" for lab, sc in zip(comp.labels, comp.scenarios))
    facts = _("Seed {seed}, {n} replicate(s) with common random numbers, scale {scale}, parameters: {parameters}; "
              "relocsim {version}; written {date}.").format(
        seed=comp.seed, n=len(comp.seeds), scale=localise_number(f"{comp.scale:g}"),
        parameters=_("calibrated ensemble") if comp.parameters == "posterior" else _("schema defaults"),
        version=__version__, date=date(dt.datetime.now(dt.timezone.utc)))
    title = _("Policy brief: {others} compared with {first}").format(others=others, first=first)
    text = {k: _e(v) for k, v in {
        "about": _("South-North relocation programme, simulated with relocsim (an agent-based model built from the IOM "
                   "assessment of 2021 and the 2024 programme figures)."),
        "question": _("The question"), "headline": _("Headline differences, paired replicate by replicate"),
        "caveats": _("Caveats"), "reproduce": _("How to reproduce it"), "files": _("Scenario files")}.items()}
    body = [f"<h1>{_e(title)}</h1>", f"<p class='small'>{text['about']}</p>", f"<h2>{text['question']}</h2>", *question,
            f"<h2>{text['headline']}</h2>", _headline(comp, table, names), f"<div class='plots'>{figures}</div>",
            f"<h2>{text['caveats']}</h2><ul>" + "".join(f"<li>{_e(c)}</li>" for c in caveats(comp, table, names)) + "</ul>",
            f"<h2>{text['reproduce']}</h2><p>{_e(facts)}</p><p class='small'>{text['files']}: {_e(files)}</p>",
            "".join(f"<pre>{_e(c)}</pre>" for c in commands)]
    return (f"<!DOCTYPE html>\n<html lang='{language()}'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n")


def write_brief(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, command: list[str] | None, folder) -> str:
    """brief.html of `relocsim compare --brief` (an extra of `sim.compare.write_comparison`, so it is written inside
    the comparison's atomic folder), reproduced by the same command; returns its name."""
    (folder / BRIEF).write_text(render(comp, table, annual, [shlex.join(command)] if command else []), encoding="utf-8")
    return BRIEF
