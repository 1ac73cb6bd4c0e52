"""Write the regression outputs that `tests/test_golden.py` compares against.

The golden set pins the model's outputs so that a refactor can show it changed nothing: the baseline
and two library scenarios (fixed seeds, 2 replicates, scale 0.05) as `summary.json` (without run
metadata), `monthly.csv` and `flows.csv`, and the outcome rows of a small sweep. A deliberate change
of behaviour regenerates it (`python tools/golden.py`) and says so in its commit.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = {"baseline": 11, "rent_subsidy_24_months": 12, "women_package": 13}
REPLICATES = 2
SCALE = 0.05
SWEEP_SPEC = """
name = "golden"
scenario = "baseline"
design = "grid"
replicates = 2
seed = 5
scale = 0.02
parameters = "posterior"
[keys]
"relocation_subsidy.mci_per_member.2020" = [35, 140]
"""


def scenario_outputs(name: str, seed: int) -> dict[str, str]:
    """The three files of a run, as text, with run metadata left out of the summary."""
    from calibration.ensemble import posterior
    from sim import scenario
    from sim.results import combine
    from sim.runner import run_scenario

    sc = scenario.load(name, [f"population.scale={SCALE!r}"])
    res = run_scenario(sc, seed=seed, replicates=REPLICATES, ensemble=posterior())
    summary = combine(res.summaries)
    summary["replicate_summaries"] = res.summaries
    return {"summary.json": json.dumps(summary, indent=2, sort_keys=True) + "\n",
            "monthly.csv": res.monthly_long().to_csv(index=False),
            "flows.csv": res.flows_long().to_csv(index=False)}


def sweep_rows() -> str:
    """A small sweep's rows (one per run) as CSV, run metadata left out."""
    from calibration.ensemble import posterior
    from sim.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "golden.toml"
        spec.write_text(SWEEP_SPEC)
        df = run_sweep(spec, backend="serial", out=Path(tmp) / "out", ensemble=posterior())
    df = df.drop(columns=["run_id"]).sort_values(["point", "replicate"]).reset_index(drop=True)
    return df.to_csv(index=False)


def main() -> int:
    for name, seed in SCENARIOS.items():
        folder = GOLDEN / name
        folder.mkdir(parents=True, exist_ok=True)
        for fname, text in scenario_outputs(name, seed).items():
            (folder / fname).write_text(text)
        print(f"wrote {folder}")
    (GOLDEN / "sweep.csv").write_text(sweep_rows())
    print(f"wrote {GOLDEN / 'sweep.csv'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
