"""The Solara page of `relocsim dashboard`: scenario and levers on the left, results on the right.

Only layout and wiring live here; what the widgets mean (sim.dashboard.state), how runs go
(sim.dashboard.runs) and what is shown (sim.dashboard.views, sim.dashboard.geo) are plain Python.
"""

from __future__ import annotations

import base64
import html
import os
import time

import solara
import solara.lab

from sim import i18n
from sim.dashboard import demand, export, geo, returns, state, views
from sim.dashboard.runs import RunService
from sim.i18n import N_, _
from sim.labels import lever_label

SERVICE = RunService()  # one cache and one queue for every browser tab; each tab has its own jobs

scenario = solara.reactive("baseline")
values: solara.Reactive[dict] = solara.reactive({})
seed = solara.reactive(0)
scale = solara.reactive(state.DEFAULT_SCALE)
replicates = solara.reactive(1)
current_job = solara.reactive(None)
outcome = solara.reactive(None)
message: solara.Reactive[tuple] = solara.reactive(())   # (message id, its fields): shown in the page's language
cancel_asked = solara.reactive(False)   # Cancel pressed, perhaps before the run's job exists

MAX_REPLICATES = 50
LANGUAGE_LABEL = "Language · Тіл · Язык"   # the same in every language, so it can always be found


def first_language() -> str:
    """The language a new session starts in: `relocsim dashboard --lang` (passed as RELOCSIM_LANG), else English."""
    env = os.environ.get(i18n.ENV, "en")
    return env if env in i18n.LANGUAGES else "en"


lang = solara.reactive(first_language())


def speak() -> None:
    """Render the calling component in the session's language; reading `lang` re-renders it on a switch."""
    i18n.activate(lang.value)


def shown_message() -> str:
    if not message.value:
        return ""
    text, fields = message.value
    return _(text).format(**fields)
SMALL = "font-size: 0.8em; color: #555;"
NOTE_COLOURS = {"info": "#e8f0fe", "warning": "#fff4e5", "error": "#fdecea"}


@solara.component
def Heading(text: str, level: int = 3):
    """A heading (plain HTML: solara.Markdown would load KaTeX, which solara-assets does not ship)."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(text), style="margin: 12px 0 6px 0;")


@solara.component
def Para(text: str, bold: bool = False):
    solara.HTML(tag="p", unsafe_innerHTML=html.escape(text), style="margin: 4px 0;" + (" font-weight: 600;" if bold else ""))


@solara.component
def Note(text: str, kind: str = "info"):
    """A coloured note (solara.Info and friends fail with this ipyvuetify version)."""
    solara.Text(text, classes=[f"note-{kind}"],
                style=f"display: block; padding: 8px 12px; border-radius: 4px; background: {NOTE_COLOURS[kind]};")


def settings(levers: list[state.Lever]) -> state.RunSettings:
    return state.RunSettings(scenario.value, tuple(state.overrides(levers, values.value)), int(seed.value),
                             float(scale.value), int(replicates.value))


@solara.lab.task
def run_task(s: state.RunSettings) -> str:
    """Submit the run to the background worker and follow its progress until it ends."""
    job = SERVICE.submit(s)
    current_job.value = job
    if cancel_asked.value:   # Cancel came between the start of the task and the job
        job.cancel()
    message.value = ()
    while not job.finished_running:
        if job.status == "queued":   # every run slot is busy with other sessions' runs
            message.value = (N_("Waiting in the queue: position {position} ({slots} run(s) at a time on this server)."),
                             {"position": job.position, "slots": SERVICE.slots})
        elif message.value:
            message.value = ()
        run_task.progress = 100.0 * job.fraction
        time.sleep(0.1)
    if job.status == "done":
        outcome.value = job.outcome
        message.value = (N_("Finished in {seconds} s."), {"seconds": i18n.localise_number(f"{job.finished - job.started:.1f}")})
    elif job.status == "cancelled":
        message.value = (N_("Run cancelled."), {})
    else:
        message.value = (N_("Run failed: {problems}"), {"problems": "; ".join(job.error)})
    return job.status


def start_run(s: state.RunSettings) -> None:
    cancel_asked.set(False)
    run_task(s)


def cancel_run() -> None:
    """Cancel this session's run, whether or not its job has been made yet."""
    cancel_asked.set(True)
    job = current_job.value
    if job is not None and not job.finished_running:
        job.cancel()


@solara.component
def LeverWidget(lever: state.Lever, found: dict):
    speak()
    current = values.value.get(lever.key, lever.value)

    def set_value(v):
        values.set({**values.value, lever.key: v})

    text = lever.label + (f" ({lever.unit})" if lever.unit and lever.unit not in lever.label else "")
    with solara.Column(gap="0px", classes=["lever"], style="margin-bottom: 6px;"):
        if lever.choices:
            shown = {_(c): c for c in lever.choices}   # the choices in words, the value as the schema spells it
            solara.Select(label=text, values=list(shown), value=_(current), on_value=lambda t: set_value(shown[t]))
        elif lever.integer:
            solara.InputInt(label=text, value=int(current), on_value=set_value, continuous_update=False)
        else:
            solara.InputFloat(label=text, value=float(current), on_value=set_value, continuous_update=False)
        for m in state.messages_for(lever.key, found):
            solara.Text(m, classes=["lever-problem"], style="color: #b00020; font-size: 0.85em;")
        solara.Text(lever.help, style=SMALL)


@solara.component
def LeverGroup(title: str, levers: list[state.Lever], found: dict):
    speak()
    open_, set_open = solara.use_state(False)
    changed = sum(1 for lev in levers if lev.key in values.value and not state._same(values.value[lev.key], lev.value))
    bad = any(state.messages_for(lev.key, found) for lev in levers)
    label = (f"{'▾' if open_ else '▸'} {title}" + (" " + _("({n} changed)").format(n=changed) if changed else "")
             + (" ⚠" if bad else ""))
    with solara.Column(gap="0px"):
        solara.Button(label, text=True, on_click=lambda: set_open(not open_), classes=["lever-group"],
                      style="justify-content: flex-start; text-transform: none;")
        if open_:
            with solara.Column(style="padding-left: 12px;"):
                for lev in levers:
                    LeverWidget(lev, found).key(lev.key)


@solara.component
def Card(card: views.Card, min_width: int = 220):
    speak()
    # long Kazakh and Russian words wrap inside the card rather than run out of it
    with solara.Card(classes=[f"card-{card.key.replace('.', '-')}", "headline"],
                     style=f"min-width: {min_width}px; flex: 1; overflow-wrap: anywhere;"):
        solara.Text(card.title, style="font-weight: 600;")
        solara.Text(card.value, classes=["card-value"], style="font-size: 1.5em; display: block;")
        solara.Text(card.band, classes=["card-band"], style=SMALL + "display: block;")
        solara.Text(_("vs baseline: {difference}").format(difference=card.difference), classes=["card-diff"],
                    style="display: block;")
        if card.diff_band:
            solara.Text(card.diff_band, classes=["card-diff-band"], style=SMALL + "display: block;")


@solara.component
def Results(out):
    speak()
    notice = demand.quota_notice(out)
    if notice:
        with solara.Column(classes=["quota-notice"]):
            Note(notice, "warning")
    with solara.Row(style="flex-wrap: wrap; gap: 8px;"):
        for c in views.cards(out):
            Card(c)
    Para(_("Means over {n} replicate(s); differences are paired replicate by replicate with the baseline "
           "(same seeds and parameter draws).").format(n=len(out.result.seeds)))
    Demand(out)
    Returns(out)
    # sections one below the other: solara.lab.Tabs needs an ipyvuetify that solara 1.58 does not pin
    Heading(_("Where people move: origin to destination"))
    solara.FigureMatplotlib(geo.flow_map(geo.mean_flows(out.result.flows_long(), len(out.result.seeds))), format="png")
    Heading(_("Over time (mean and 90% band over replicates)"))
    with solara.Row(style="flex-wrap: wrap;"):
        solara.FigureMatplotlib(views.relocations_figure(out), format="png")
        solara.FigureMatplotlib(views.returns_figure(out), format="png")
        solara.FigureMatplotlib(views.budget_figure(out), format="png")
    Heading(_("Outcomes by gender, marital status, age group and education"))
    solara.HTML(tag="div", unsafe_innerHTML=views.html_table(views.group_table(out)), classes=["group-table"])
    Downloads(out)


@solara.component
def Demand(out):
    speak()
    Heading(_("Demand: applications and the wait-list"))
    with solara.Row(style="flex-wrap: wrap; gap: 8px;", classes=["demand-cards"]):
        for c in demand.demand_cards(out):
            Card(c, min_width=180)  # four in a row
    solara.Text(demand.quota_status(out), classes=["quota-status"], style=SMALL + "display: block;")


@solara.component
def Returns(out):
    speak()
    Heading(_("Why and when people return"))
    with solara.Column(classes=["returns-section"]):
        solara.HTML(tag="div", unsafe_innerHTML=views.html_table(returns.reason_table(out)), classes=["reasons-table"])
        with solara.Row(style="flex-wrap: wrap;"):
            solara.FigureMatplotlib(returns.reasons_figure(out), format="png")
            solara.FigureMatplotlib(returns.profile_figure(out), format="png")


@solara.component
def DownloadLink(text: str, filename: str, label: str, mime: str = "text/csv"):
    """A link that saves `text` as a file: a data: URL, so no widget front-end or server route is needed
    (solara.FileDownload does not render with the ipyvuetify that solara 1.58 installs)."""
    url = f"data:{mime};charset=utf-8;base64,{base64.b64encode(text.encode()).decode()}"
    solara.HTML(tag="a", unsafe_innerHTML=html.escape(label), classes=["download-link"],
                attributes={"href": url, "download": filename},
                style="padding: 6px 12px; border: 1px solid #6200ea; border-radius: 4px; text-decoration: none;")


@solara.component
def Downloads(out):
    speak()
    s = out.settings
    toml_text, same = export.scenario_toml(s)
    brief, set_brief = solara.use_state(None)   # (outcome, language, html): made on request, it draws two plots
    Heading(_("Take it away: the same run from the command line, the scenario file and the results"))
    with solara.Column(classes=["command-line"]):
        solara.Preformatted(state.command_line(s))
    with solara.Row(style="gap: 16px;"):
        DownloadLink(toml_text, f"{s.scenario}-dashboard.toml", _("Download scenario (TOML)"), "application/toml")
        DownloadLink(export.results_csv(out.table), f"{s.scenario}-outcomes.csv", _("Download outcomes (CSV)"))
        DownloadLink(views.yearly_csv(out), f"{s.scenario}-yearly.csv", _("Download yearly series (CSV)"))
    with solara.Row(style="gap: 16px; align-items: center;"):
        solara.Button(_("Prepare the one-page brief"), classes=["brief-button"], text=True,
                      on_click=lambda: set_brief((out, lang.value, export.brief_html(out, lang.value))))
        if brief is not None and brief[0] is out and brief[1] == lang.value:
            DownloadLink(brief[2], "brief.html", _("Download brief (HTML, prints on A4)"), "text/html")
    if not same:
        Note(_("The TOML file applies the changed levers from the scenario's policy year; "
               "the run above applied them to every year, as --set does."), "warning")


WRAP_CSS = """
.lever-group { height: auto !important; min-height: 36px; max-width: 100%; }
.lever-group .v-btn__content { white-space: normal; text-align: left; overflow-wrap: anywhere; }
.lever .v-field-label, .lever .v-label { white-space: normal; overflow-wrap: anywhere; }
"""   # Kazakh and Russian group titles and lever names are longer than English ones: they wrap, not overflow


@solara.component
def Page():
    speak()
    solara.Style(WRAP_CSS)
    solara.Title(_("relocsim: relocation programme workbench"))
    levers = solara.use_memo(lambda: state.levers(scenario.value), [scenario.value, lang.value])
    s = settings(levers)
    found = solara.use_memo(lambda: state.problems(s.scenario, s.all_overrides()), [s.key()])
    if int(replicates.value) < 1 or int(replicates.value) > MAX_REPLICATES:
        found = {**found, "": found.get("", []) + [_("Replicates: {n} not allowed; allowed: 1 to {most}").format(
            n=replicates.value, most=MAX_REPLICATES)]}
    year = {lev.key: int(values.value.get(lev.key, lev.value)) for lev in levers if lev.key.startswith("time.")}
    months = 12 * (year.get("time.end_year", 0) - year.get("time.start_year", 0) + 1)
    with solara.Columns([1, 2.4], style="padding: 8px;"):
        Controls(s, found, levers, months)
        Main()


@solara.component
def Controls(s: state.RunSettings, found: dict, levers: list, months: int):
    speak()
    running = run_task.pending

    choices = state.scenario_choices()

    def choose(title):
        scenario.set(choices[title])
        values.set({})

    names = {i18n.NAMES[code]: code for code in i18n.LANGUAGES}
    with solara.Column(classes=["controls"]):
        solara.Select(label=LANGUAGE_LABEL, values=list(names), value=i18n.NAMES[lang.value],
                      on_value=lambda name: lang.set(names[name]), classes=["language-select"])
        Heading(_("Scenario"))
        solara.Select(label=_("Scenario"), values=list(choices), value=state.scenario_title(scenario.value), on_value=choose)
        solara.Select(label=_("Scale (fraction of households simulated)"), values=list(state.SCALES),
                      value=scale.value, on_value=scale.set)
        solara.InputInt(label=_("Replicates"), value=replicates, continuous_update=False)
        solara.InputInt(label=_("Seed"), value=seed, continuous_update=False)
        secs = SERVICE.estimate(s, months)
        solara.Text(_("Cached: shown at once.") if secs == 0 else
                    _("Estimated run time: about {seconds} s for {runs} run(s) of {years} years x {replicates} replicate(s) "
                      "at scale {scale} (the baseline runs too, for the comparison, unless cached).").format(
                        seconds=i18n.number(secs, ",.0f"), runs=len(SERVICE.pending(s)), years=months // 12,
                        replicates=s.replicates, scale=i18n.localise_number(f"{s.scale:g}")),
                    classes=["estimate"], style=SMALL)
        with solara.Row():
            solara.Button(_("Run"), color="primary", on_click=lambda: start_run(s), disabled=bool(found) or running,
                          classes=["run-button"])
            solara.Button(_("Cancel"), on_click=cancel_run,
                          disabled=not running, classes=["cancel-button"])
        with solara.Column(gap="4px", classes=["run-status"]):  # always present: what follows keeps its state
            if running:
                solara.ProgressLinear(run_task.progress if run_task.progress is not None else True)
            for m in found.get("", []):
                Note(m, "error")
            if message.value:
                solara.Text(shown_message(), classes=["run-message"], style=SMALL)
        Heading(_("Levers"))
        Para(_("Changed levers become --set overrides. Bounds, units and sources come from the scenario schema."))
        with solara.Column(gap="0px", classes=["lever-groups"]):  # own parent: notes above don't shift their state
            for group, items in state.groups(levers).items():
                LeverGroup(items[0].group_title, items, found).key(group)


@solara.component
def Main():
    speak()
    with solara.Column(classes=["results"]):
        Heading(_("South-North relocation programme: what a lever does"), 2)
        out = outcome.value
        if out is None:
            Note(_("Choose a scenario and levers on the left, then press Run. A run at scale 0.1 with one "
                   "replicate takes a few seconds."))
        else:
            s = out.settings
            title = state.scenario_title(s.scenario)
            if s.overrides:
                title = _("{scenario} with {overrides}").format(scenario=title, overrides=", ".join(
                    f"{lever_label(o.partition('=')[0].strip())} = {o.partition('=')[2].strip()}" for o in s.overrides))
            Para(_("{run}, scale {scale}, {replicates} replicate(s), seed {seed}").format(
                run=title, scale=i18n.localise_number(f"{s.scale:g}"), replicates=s.replicates, seed=s.seed), bold=True)
            Results(out)
