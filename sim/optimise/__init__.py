"""`relocsim optimise`: search the levers for the mixes that keep the most families in the north for the
money, robust to what calibration leaves uncertain (issue 20).

The package, by concept: `spec` (read and validate a spec file), `candidate` (a candidate as a scenario
file that extends the base and starts in the policy year), `metrics` (what one run is measured by),
`search` (Optuna's multi-objective sampler asked in fixed batches, runs on a backend, resumable),
`outputs` and `report` (front.csv, trials.parquet, scenario files, front.png, report.md), `synthetic`
(an analytic evaluator with a known front, for tests).

From Python::

    from sim.optimise import load_spec, run_search, write_outputs
    search = run_search(load_spec("scenarios/optimise/example.toml"), "results/optimise/example",
                        backend="processes", workers=2, ensemble=posterior())
    write_outputs(search)
"""

from sim.optimise.outputs import trials_frame, write_outputs
from sim.optimise.search import Search, run_search
from sim.optimise.spec import Lever, OptimiseSpec, load_spec

__all__ = ["Lever", "OptimiseSpec", "Search", "load_spec", "run_search", "trials_frame", "write_outputs"]
