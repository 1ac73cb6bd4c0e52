"""Writing a run's results atomically, with the metadata that makes them reproducible.

Everything is written into a hidden `.partial` folder beside the target and renamed into place at the
end (`sim.output_folder`), so an interrupted run leaves nothing that looks complete.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from importlib import metadata
from pathlib import Path

import numpy as np

from sim import __version__
from sim.nested import flatten, unflatten  # flatten: also imported from here (sim.sweep)
from sim.output_folder import atomic_folder, unique_id
from sim.runner import RunResult

PACKAGES = ("mesa", "numpy", "pandas", "networkx", "matplotlib", "scipy", "optuna", "pyarrow", "tqdm", "dask",
            "distributed", "SALib")


def versions() -> dict:
    out = {"relocsim": __version__, "python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def combine(summaries: list[dict]) -> dict:
    """Mean over replicates and, with several, 90% bands (5th-95th percentile) of every number."""
    if len(summaries) == 1:
        return summaries[0]
    flats = [flatten(s) for s in summaries]
    mean, bands = {}, {}
    for key in flats[0]:
        vals = np.array([f[key] for f in flats if f.get(key) is not None], float)
        mean[key] = float(vals.mean()) if len(vals) else None
        bands[key] = [float(np.percentile(vals, 5)), float(np.percentile(vals, 95))] if len(vals) else None
    out = unflatten(mean)
    out["bands_90"] = unflatten(bands)
    return out


def run_id(seed: int) -> str:
    """A run folder's name: UTC time, seed and a random suffix, so two runs never share a folder."""
    return unique_id(seed)


def write_run(res: RunResult, out_dir: Path, overrides: list[str]) -> Path:
    """Write tables, plots, summary, metadata and labels.csv to `out_dir` atomically; returns the final folder.
    Plots are in the current language (sim.i18n); everything else is the same in every language."""
    from sim.plots import write_plots

    out_dir = Path(out_dir)
    with atomic_folder(out_dir, "run") as tmp:
        monthly = res.monthly_long()
        monthly.to_csv(tmp / "monthly.csv", index=False)
        res.flows_long().to_csv(tmp / "flows.csv", index=False)
        write_plots(res, tmp)
        (tmp / "scenario.json").write_text(json.dumps(res.scenario.data, indent=2, sort_keys=True))
        meta = {
            "run_id": out_dir.name,
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "scenario": res.scenario.name,
            "scenario_file": res.scenario.source,
            "overrides": overrides,
            "seed": res.seed if res.seed is not None else res.seeds[0],  # the base seed (--seed)
            "replicate_seeds": res.seeds,   # derived from it (sim.runner.replicate_seeds)
            "replicates": len(res.seeds),
            "parameter_sets": res.parameter_sets,  # trial ids of the calibrated ensemble (None: schema defaults)
            "scale": res.scale,
            "versions": versions(),
        }
        summary = {"run": meta, **combine(res.summaries)}
        if len(res.summaries) > 1:
            summary["replicate_summaries"] = res.summaries
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
        from sim.label_table import LABELS_CSV, write_labels

        summary_keys = [k for k in flatten(combine(res.summaries)) if not k.startswith("bands_90.")]
        write_labels(summary_keys + list(monthly.columns), tmp / LABELS_CSV)
    return out_dir
