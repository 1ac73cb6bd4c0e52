"""`relocsim calibrate`: estimate the free behavioural parameters from the survey and official counts.

Method: Optuna's TPE sampler searches the parameter box to minimise the calibration distance
(`calibration.fit.deviance`: binomial deviance of the virtual survey's outcome cells with the tables' bases,
plus squared relative errors of official counts). A survey-design parameter (`survey_recency`, how
much more easily the survey reached recent arrivals) is free too; the shipped ensemble's accepted
values lie between 0.09 and 0.19 a year (calibration/posterior.csv; docs/ODD.md 8.1). Runs ignore it;
the fit report and the distance apply each set's value to the virtual survey. The trial history is then turned into an ensemble of
accepted parameter sets by ABC rejection: the best `accept_fraction` of trials (at least `min_accept`)
are kept with equal weight. That ensemble is the posterior sample written to
`calibration/posterior.csv`; runs draw one set per replicate, so scenario results carry parameter
uncertainty as well as stochastic noise.

Trials run in parallel worker processes sharing an Optuna journal file; running the same command
again after an interruption continues the same study and counts only finished trials, so finished work
is never redone. Workers die with the run that started them, however it was stopped (SIGKILL included),
and a run that finds no live process on its study marks trials left running by dead ones as failed.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.budgets import BUDGETS, HISTORY_BUDGETS, WARM_STARTED, WRITES_SHIPPED, Budget  # noqa: F401  (the budgets, as before)
from calibration.ensemble import POSTERIOR, SURVEY_PARAMETERS, warm_start_sets, write_posterior
from sim.scenario import ScenarioError
from sim.schema import SURVEYED

log = logging.getLogger("relocsim")
CAL_DIR = Path(__file__).resolve().parent

# The free parameters and their search ranges (inside the schema's bounds); log=True searches on a log scale.
FREE = {
    "decide_base": (-14.0, -8.0, False),   # issue 8: quotas slack, so demand itself must match Table 10
    "decide_w_no_own_housing": (0.0, 2.0, False),
    "decide_w_subsidy": (0.0, 1.5, False),   # issue 8: bounded by Table 17 (subsidy pivotal for at most 23.5% of movers)
    "decide_w_movers": (0.0, 60.0, False),
    "consult_share": (0.05, 1.0, False),
    # issue 19: Table 14 is cut by destination region: a shift of the log-odds of consulting per surveyed region
    **{f"consult_shift_{r}": (-3.0, 3.0, False) for r in SURVEYED},
    # issue 19: the awareness channels (Tables 15-16), set by hand until now, and each destination's pull on
    # households told by an employment centre (Table 15 by region)
    "awareness_media_rate": (0.001, 0.03, True),
    "awareness_centre_rate": (0.001, 0.1, True),
    "awareness_network_weight": (0.0, 0.2, False),
    "awareness_mover_weight": (0.0, 2.0, False),
    **{f"choice_w_centre_{r}": (-3.0, 3.0, False) for r in SURVEYED},
    # issue 19: the early intake (before the 2016 list of destinations), its level and mix (Table 3 by region)
    "early_decide_shift": (-1.0, 4.0, False),
    **{f"early_asc_{r}": (-3.0, 3.0, False) for r in SURVEYED},
    "choice_w_distance": (-3.0, 0.0, False),
    # destination constants, identified by IOM Table 10 arrivals by region once quotas need not bind (issue 8)
    "choice_asc_north_kazakhstan": (-2.0, 2.0, False),
    "choice_asc_pavlodar": (-2.0, 2.0, False),
    "choice_asc_kostanay": (-3.0, 1.0, False),
    "choice_asc_east_kazakhstan": (-3.0, 1.0, False),
    "adapt_base": (-1.0, 3.0, False),
    "adapt_months": (1.0, 24.0, False),
    # issue 19: either sign; Table 41 (settlement types) stays held out, so Table 40 and the returns set it
    "adapt_w_settlement_change": (-3.0, 3.0, False),
    "return_level": (0.1, 10.0, True),
    # issue 9: return reasons, their time profile, anticipated repayment, and the business route
    "return_h_climate": (0.0, 0.04, False),
    "return_h_unhoused": (0.0, 0.05, False),
    "return_h_money": (0.0, 0.02, False),
    "return_h_alone": (0.0, 0.02, False),
    "return_late_factor": (0.05, 0.8, False),
    "return_settle_months": (3.0, 36.0, False),
    "return_w_repayment": (0.0, 1.5, False),
    "business_rate": (0.0, 0.5, False),   # stop 9: wide enough for a stepped ensemble to warm-start unclipped
    "business_intent_first": (0.0, 1.0, False),
    "job_rate_matched": (0.05, 1.0, False),
    "job_rate_other": (0.0, 0.5, False),
    "move_on_rate": (0.0, 0.01, False),
    "relocation_subsidy_take_up": (0.6, 1.0, False),
    "rent_subsidy_take_up": (0.4, 1.0, False),
    # not a behaviour: how much more easily the survey reached recent arrivals (calibration/survey.py)
    "survey_recency": (0.0, 1.0, False),
}


def evaluate(params: dict, budget: Budget, scenario_name: str = "baseline", free_overrides: tuple[str, ...] = (),
             observed: pd.DataFrame | None = None, details: dict | None = None) -> float:
    """Calibration distance of one parameter set (replicates share seeds across trials: common random numbers).

    `details`, if given, receives the replicate means of the official counts (kept with each trial).
    """
    from calibration.fit import deviance
    from calibration.observe import RunObserver
    from sim import scenario
    from sim.model import RelocationModel

    overrides = [f"time.end_year={budget.end_year}", *free_overrides] + [
        f"behaviour.{k}={v!r}" for k, v in params.items() if k not in SURVEY_PARAMETERS]
    sc = scenario.load(scenario_name, overrides)
    snaps, offs = [], []
    for seed in range(budget.replicates):
        m = RelocationModel(sc, seed=seed, scale=budget.scale)
        obs = RunObserver(m)
        m.run()
        snaps.append(obs.fieldwork_frame)
        offs.append(obs.officials)
        del m, obs
    gc.collect()  # a worker evaluates hundreds of models: free each one's arrays now
    if details is not None:
        details.update({f"{t}/{c}": float(np.nanmean([o.get((t, c), np.nan) for o in offs])) for t, c in offs[0]})
    return deviance(snaps, offs, observed=observed, recency=params.get("survey_recency", 0.0))


def _suggest(trial, free: dict) -> dict:
    return {k: trial.suggest_float(k, lo, hi, log=lg) for k, (lo, hi, lg) in free.items()}


def _storage(path: Path):
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return JournalStorage(JournalFileBackend(str(path)))


def _worker(study_name: str, journal: str, budget: Budget, free: dict, seed: int, scenario_name: str,
            fixed: tuple[str, ...], observed: pd.DataFrame | None = None, on_trial=None, parent: int | None = None) -> None:
    """Run trials until the study has `budget.trials` finished ones. `parent`: the pid of the run that
    started this worker process; the worker exits as soon as that process is gone."""
    import optuna
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    if parent is not None:
        _die_with_parent(parent)
        held, _ = _study_lock(Path(journal).parent)   # kept until this process ends: the study is in use  # noqa: F841
    study = optuna.load_study(study_name=study_name, storage=_storage(Path(journal)))
    if _completed(study) >= budget.trials:
        return
    # a resumed study continues with a fresh random stream, so it does not propose the finished points again.
    # multivariate: the parameters trade off in pairs (a faster adaptation needs a higher base return
    # hazard to keep the returns), which independent per-parameter densities miss
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.sampler = optuna.samplers.TPESampler(seed=seed + 7919 * len(study.get_trials(deepcopy=False)),
                                                   n_startup_trials=max(8, budget.trials // 5), multivariate=True)
    callbacks = [MaxTrialsCallback(budget.trials, states=(TrialState.COMPLETE,))] + ([on_trial] if on_trial else [])

    def objective(trial) -> float:
        details: dict = {}
        value = evaluate(_suggest(trial, free), budget, scenario_name, fixed, observed, details)
        for key, v in details.items():
            trial.set_user_attr(key, v)
        return value

    study.optimize(objective, callbacks=callbacks, n_trials=budget.trials)


def _completed(study) -> int:
    from optuna.trial import TrialState

    return sum(1 for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE)


def calibrate(budget: Budget, workers: int = 1, work_dir: Path | None = None, out: Path = POSTERIOR, seed: int = 0,
              scenario_name: str = "baseline", free: dict | None = None, fixed: tuple[str, ...] = (),
              study_name: str = "relocsim", progress: bool = True, observed: pd.DataFrame | None = None,
              warm_start: Path | None = None) -> pd.DataFrame:
    """Run (or resume) the calibration study and write the accepted ensemble to `out`.

    `warm_start`: an earlier ensemble (posterior.csv) whose sets a new study evaluates first, so a
    recalibration after a model change starts where the last one ended instead of from random points.
    """
    import optuna

    free = free or FREE
    work_dir = Path(work_dir or CAL_DIR / "work" / study_name)
    journal = work_dir / "study.journal"
    settings = json.loads(json.dumps({"budget": asdict(budget), "free": free, "fixed": list(fixed), "scenario": scenario_name}))
    _check_same_study(work_dir, journal, settings)
    work_dir.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(study_name=study_name, storage=_storage(journal), direction="minimize", load_if_exists=True)
    (work_dir / "settings.json").write_text(json.dumps(settings, indent=2))
    lock, alone = _study_lock(work_dir, wait=_ORPHAN_WAIT if _running(study) else 0.0)
    try:
        if alone:
            _fail_orphaned_trials(study)
        return _run_study(study, budget, workers, journal, free, seed, scenario_name, fixed, study_name, progress,
                          observed, warm_start, out)
    finally:
        if lock is not None:
            lock.close()


def _run_study(study, budget, workers, journal, free, seed, scenario_name, fixed, study_name, progress, observed,
               warm_start, out) -> pd.DataFrame:
    """Warm-start a new study, run trials until the budget is met, write the ensemble."""
    if warm_start is not None and not study.get_trials(deepcopy=False):
        sets = warm_start_sets(Path(warm_start), free)
        for params in sets:
            study.enqueue_trial(params)
        study.set_user_attr("warm_start", {"from": str(warm_start), "sets": len(sets)})
    already = _completed(study)
    log.info("calibration %s: %d of %d trials finished, %d worker(s)", study_name, already, budget.trials, workers)
    if already < budget.trials:
        from tqdm import tqdm

        args = (study_name, str(journal), budget, free, seed, scenario_name, tuple(fixed), observed)
        with tqdm(total=budget.trials, initial=already, unit="trial", desc="calibrate", disable=not progress or None) as bar:
            step = max(1, budget.trials // 10)
            logged = [already // step]

            def show(st, _trial=None):
                bar.n = min(_completed(st), budget.trials)
                bar.refresh()
                if bar.disable and progress and bar.n // step > logged[0]:  # no terminal (a log, nohup): a line every tenth
                    logged[0] = bar.n // step
                    log.info("calibration %s: %d of %d trials finished", study_name, bar.n, budget.trials)

            if workers <= 1:
                _worker(*args, on_trial=show)
            else:
                _run_workers([(*args[:4], seed + i, *args[5:]) for i in range(workers)], lambda: show(study))
    return write_posterior(study, budget, out, free)


# What a finished trial's distance depends on: a resumed study must keep these, or its trials would
# not be comparable (the number of trials and the acceptance settings may change).
_TRIAL_SETTINGS = ("replicates", "scale", "end_year")


def _check_same_study(work_dir: Path, journal: Path, settings: dict) -> None:
    """Refuse to resume a study whose finished trials were scored under other settings."""
    path = work_dir / "settings.json"
    if not (journal.exists() and path.exists()):
        return
    old = json.loads(path.read_text())

    def key(s: dict) -> dict:
        return {**{k: s["budget"][k] for k in _TRIAL_SETTINGS}, "free": s["free"], "fixed": s["fixed"], "scenario": s["scenario"]}

    before, now = key(old), key(settings)
    changed = sorted(k for k in now if before.get(k) != now[k])
    if changed:
        raise ScenarioError([f"{work_dir}: the study there was run with other {', '.join(changed)} "
                             f"({'; '.join(f'{k}: {before.get(k)} now {now[k]}' for k in changed)}); "
                             "its trials are not comparable. Use a new --work-dir, or --warm-start from its ensemble."])


# How long a run waits for the workers of a run that was just killed to notice it and exit (they poll
# their parent twice a second), before it judges whether trials left running belong to live processes.
_ORPHAN_WAIT = 3.0
_USE_PDEATHSIG = True   # False leaves a worker to the portable poll alone (tests check that it suffices)


def _running(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))


def _study_lock(work_dir: Path, wait: float = 0.0):
    """Hold a shared lock on the study for as long as this process works on it (the kernel drops it when the
    process dies, however it dies). Returns (lock file, alone): alone is True when no other live process held
    the lock, tried for up to `wait` seconds; then every trial still marked running was left by a dead one.
    Without fcntl (not POSIX) there is no lock, and a run is taken to be alone."""
    try:
        import fcntl
    except ImportError:
        return None, True
    fh = open(work_dir / "study.lock", "a")
    deadline, alone = time.monotonic() + wait, False
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
    fcntl.flock(fh, fcntl.LOCK_SH)   # share the study with this run's own workers (and with other live runs)
    return fh, alone


def _fail_orphaned_trials(study) -> int:
    """Mark trials left running by processes that no longer exist as failed, so they are not taken for
    work in progress; a warm-start set among them is queued again, so it is still evaluated. Finished
    trials are untouched. Call only when no other live process works on the study (`_study_lock`)."""
    from optuna.trial import TrialState

    stale = _running(study)
    for t in stale:
        study.tell(t.number, state=TrialState.FAIL, skip_if_finished=True)
        if "fixed_params" in t.system_attrs:
            study.enqueue_trial(t.system_attrs["fixed_params"])
    if stale:
        log.info("calibration: %d trial(s) left running by a stopped run marked failed", len(stale))
    return len(stale)


def _die_with_parent(parent: int, poll: float = 0.5) -> None:
    """End this worker process when the process that started it is gone, whatever stopped it
    (sim.lifecycle: the kernel's PR_SET_PDEATHSIG on Linux, and a polling thread everywhere)."""
    from sim.lifecycle import die_with_parent

    die_with_parent(parent, poll, pdeathsig=_USE_PDEATHSIG)


def _run_workers(worker_args: list[tuple], tick) -> None:
    """Run `_worker` in spawned processes until all finish. If this process is stopped (Ctrl-C, or
    SIGTERM from a scheduler), the workers are stopped too rather than left running without a parent;
    their finished trials are in the journal, so the next run resumes from them."""
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=a, kwargs={"parent": os.getpid()}) for a in worker_args]
    main_thread = threading.current_thread() is threading.main_thread()  # signal handlers live there only
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main_thread else None
    try:
        for p in procs:
            p.start()
        while any(p.is_alive() for p in procs):
            time.sleep(1.0)
            tick()
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"calibration worker failed with exit code {failed[0]}")


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")
