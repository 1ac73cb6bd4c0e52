"""`relocsim sweep`: run a scenario over a design of parameter values, in parallel, resumably.

The package, by concept: `spec` (read and validate a spec file; also used by `sim.sensitivity`),
`design` (grid, Latin hypercube, Sobol points), `plan` (runs with content-hashed ids; the output
folder's identity for resuming), `execute` (running on a backend), `output` (one Parquet file per
run, read back as one table).

A sweep spec is a TOML file::

    scenario = "baseline"          # a shipped scenario's name or a path (relative to the spec or cwd)
    design = "grid"                # grid | lhs | sobol
    samples = 16                   # lhs and sobol: design points (sobol: a power of 2 is advised)
    replicates = 2                 # seeds per design point, >= 1
    seed = 1                       # seeds the design (lhs, sobol) and the replicates
    scale = 0.05                   # optional: population scale (default: the scenario's)
    overrides = ["time.end_year=2020"]   # optional: fixed overrides applied to every run
    parameters = "posterior"       # behavioural parameters, as `relocsim run --parameters`: each seed's
                                   # draw from the calibrated ensemble (if shipped), or "defaults"; keys
                                   # swept or overridden explicitly always win

    [keys]                         # dotted scenario keys; schedules are addressed by year
    "rent_subsidy.months" = [12, 24]                                          # a list (grid)
    "relocation_subsidy.mci_per_member.2020" = { low = 35, high = 140, integer = true }  # a range
    "quotas.pavlodar.2017" = { low = 800, high = 3200, levels = 4 }           # a range on a grid

Every design point x replicate is one run. Replicate r of every point uses the same seed (common
random numbers, as `relocsim run --seed S --replicates R`), so points differ by their parameters, not
by noise. A run's id is a hash of its parameter values, its seed, the scenario, fixed overrides and
scale: the same spec always gives the same runs, and identical points (possible after rounding
integers) are run once.

Output folder ``DIR``::

    DIR/_spec.toml                 # a copy of the spec
    DIR/_sweep.json                # spec, design, seeds, run ids, package versions
    DIR/runs/<run_id>.parquet      # one row per finished run, written atomically

Read the results with ``pandas.read_parquet(DIR)`` or ``pandas.read_parquet(DIR / "runs")`` (one row per run: run_id, point,
replicate, seed, scale, parameter_set (the ensemble member drawn, or null), one column per swept key, one column per scalar outcome of the run summary,
flattened with dots); the metadata files start with "_", which pyarrow skips. Running the same command again skips finished runs.
"""

from sim.sweep.execute import Stats, execute, run_sweep, run_task
from sim.sweep.output import read_runs, write_row
from sim.sweep.plan import Plan, Run, build_plan, load_sweep_spec, prepare_out
from sim.sweep.spec import Param, read_spec

__all__ = ["Param", "Plan", "Run", "Stats", "build_plan", "execute", "load_sweep_spec", "prepare_out", "read_runs",
           "read_spec", "run_sweep", "run_task", "write_row"]
