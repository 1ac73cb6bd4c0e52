"""A sweep's plan: every run (design point x replicate seed) with a content-hashed id, and the
output folder's identity, which a rerun must match to resume (finished runs are skipped)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sim import scenario as scn
from sim.ensemble import ParameterEnsemble
from sim.output_folder import claim_own_folder, clean_stale_files, copy_file_atomic, write_text_atomic
from sim.results import versions
from sim.scenario import ScenarioError
from sim.sweep.design import design_points
from sim.sweep.spec import (IN_MEMORY, COMMON_KEYS, Param, SpecProblems, check_common, is_int, key_problems, parse_params,
                            point_overrides, resolve_base, spec_source)

log = logging.getLogger("relocsim")

DESIGNS = ("grid", "lhs", "sobol")
SWEEP_KEYS = COMMON_KEYS + ("design", "samples")


@dataclass
class Run:
    run_id: str
    point: int
    replicate: int
    seed: int


@dataclass
class Plan:
    """Everything a sweep will run, resolved and validated."""

    kind: str
    spec_path: Path
    spec: dict
    name: str
    scenario_path: Path
    scenario_name: str
    fixed: list[str]                 # fixed overrides (the spec's, then population.scale)
    base_raw: dict                   # the scenario with the fixed overrides applied
    where: str
    scale: float
    parameters: str                  # behavioural parameters: "posterior" draws or "defaults"
    params: list[Param]
    points: list[dict]
    seeds: list[int]
    runs: list[Run]
    identity: dict                   # what decides the runs; a folder only resumes an identical one
    context: dict                    # hashed into every run id with the point and the seed
    extra: dict = field(default_factory=dict)
    ensemble: ParameterEnsemble | None = None  # what "posterior" runs draw from (None: schema defaults)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.params]

    def point_run_ids(self, i: int) -> list[str]:
        """The run ids of design point i, one per replicate."""
        return [run_id(self.points[i], s, self.context) for s in self.seeds]


def validate_points(bits: dict, points: list[dict], spec_path: Path) -> None:
    """Validate the scenario at every design point (keys can interact); raises before anything runs."""
    path, fixed = bits["scenario_path"], bits["fixed"]
    problems: list[str] = []
    seen: set[str] = set()
    for i, point in enumerate(points):
        try:
            scn.load(path, fixed + point_overrides(point))
        except ScenarioError as exc:
            for q in exc.problems:
                if q not in seen:
                    seen.add(q)
                    problems.append(f"{spec_path}: design point {i} {point}: {q}")
        if len(problems) >= 20:
            break
    if problems:
        raise ScenarioError(problems)


def run_id(point: dict, seed: int, context: dict) -> str:
    text = json.dumps({"params": point, "seed": int(seed), **context}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sha(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def build_plan(kind: str, spec_path: Path, spec: dict, bits: dict, params: list[Param], points: list[dict],
               replicates: int, seed: int, identity: dict, extra: dict | None = None,
               ensemble: ParameterEnsemble | None = None) -> Plan:
    """Validate the points against the scenario and lay out the runs (deduplicated by run id)."""
    from sim.runner import replicate_seeds

    validate_points(bits, points, spec_path)
    path, fixed = bits["scenario_path"], bits["fixed"]
    sc = scn.load(path, fixed)
    base_raw = scn.apply_overrides(scn.load_raw(path), fixed)
    scale = float(sc.data["population"]["scale"])
    seeds = replicate_seeds(seed, replicates)
    source = bits["parameters"]
    ensemble = ensemble if source == "posterior" else None
    context = {"scenario": spec["scenario"], "overrides": list(spec.get("overrides", [])), "scale": scale,
               "parameters": source}
    runs, seen = [], set()
    for i, point in enumerate(points):
        for r, s in enumerate(seeds):
            rid = run_id(point, s, context)
            if rid not in seen:
                seen.add(rid)
                runs.append(Run(rid, i, r, int(s)))
    identity = {"kind": kind, **identity, "scenario": spec["scenario"], "scenario_sha256": sha(base_raw),
                "fixed_overrides": fixed, "scale": scale, "seed": seed, "replicates": replicates,
                "parameters": source, "posterior": None if ensemble is None else ensemble.info(),
                "keys": [p.describe() for p in params]}
    return Plan(kind=kind, spec_path=spec_path, spec=spec, name=str(spec.get("name", spec_path.stem)),
                scenario_path=Path(path), scenario_name=sc.name, fixed=fixed, base_raw=base_raw,
                where=str(path) + " (with --set overrides)", scale=scale, parameters=source, params=params, points=points,
                seeds=seeds, runs=runs, identity=identity, context=context, extra=extra or {}, ensemble=ensemble)


def load_sweep_spec(spec_path: str | Path | Mapping, ensemble: ParameterEnsemble | None = None) -> Plan:
    """Read and validate a sweep spec and lay out its runs; raises ScenarioError on any problem.
    `ensemble`: what a spec with `parameters = "posterior"` draws from (the command line passes the
    calibrated one, `calibration.ensemble.posterior()`); without one its runs use the schema defaults."""
    spec_path, spec = spec_source(spec_path)   # a file, or a dict from a Python caller
    probs = SpecProblems(spec_path)
    replicates, seed = check_common(spec, probs, SWEEP_KEYS)
    design = spec.get("design")
    if design not in DESIGNS:
        probs.err("design", f"{'missing' if design is None else f'value {design!r} not allowed'}; allowed: {', '.join(DESIGNS)}")
        design = None
    samples = spec.get("samples")
    if design in ("lhs", "sobol"):
        if not is_int(samples) or samples < 1:
            probs.err("samples", f"{'missing' if samples is None else f'expected a whole number >= 1, got {samples!r}'}; "
                                 f"allowed: the number of {design} design points, a whole number >= 1"
                                 + ("; a power of 2 is advised for sobol" if design == "sobol" else ""))
        elif design == "sobol" and samples & (samples - 1):
            lo = 1 << (samples.bit_length() - 1)
            log.warning("%s: key 'samples': %d is not a power of 2; Sobol points are balanced only for powers of 2 (e.g. %d or %d)",
                        spec_path, samples, lo, lo * 2)
    elif design == "grid" and samples is not None:
        probs.err("samples", "samples is for lhs and sobol designs; a grid runs the full product of the [keys] values")
    params = parse_params(spec, probs, allow_lists=design in (None, "grid"), need_levels=design == "grid",
                           allow_levels=design in (None, "grid"), bounds_from_schema=False, what=f"design '{design}'")
    bits = resolve_base(spec, spec_path, probs)
    probs.items += key_problems(bits, params, spec_path)
    probs.raise_if_any()
    points = design_points(params, design, samples, seed)
    return build_plan("sweep", spec_path, spec, bits, params, points, replicates, seed,
                      {"design": design, "samples": samples}, ensemble=ensemble)


def metadata(plan: Plan) -> dict:
    return {
        "kind": plan.kind,
        "name": plan.name,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "spec_file": str(plan.spec_path),
        "spec": plan.spec,
        "scenario": {"name": plan.scenario_name, "file": str(plan.scenario_path),
                     "sha256": plan.identity["scenario_sha256"]},
        "fixed_overrides": plan.fixed,
        "scale": plan.scale,
        "parameters": plan.parameters,
        "posterior": plan.identity["posterior"],
        "keys": [p.describe() for p in plan.params],
        "replicate_seeds": plan.seeds,
        "n_points": len(plan.points),
        "n_runs": len(plan.runs),
        "points": plan.points,
        "runs": [{"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed} for r in plan.runs],
        "identity": plan.identity,
        "versions": versions(),
        "read_with": "pandas.read_parquet(DIR)",
        **plan.extra,
    }


def prepare_out(plan: Plan, out: Path) -> Path:
    """Create (or check, when resuming) the output folder; returns its runs/ folder. A folder that is
    neither new, empty nor a sweep's (of this kind) is refused: nothing of the user's is touched."""
    out = claim_own_folder(out, plan.kind, legacy=("_sweep.json",))
    meta = out / "_sweep.json"
    runs_dir = out / "runs"
    if meta.exists():
        try:
            old = json.loads(meta.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ScenarioError([f"{meta}: unreadable ({exc}); use another --out folder"]) from None
        new = json.loads(json.dumps(plan.identity, default=str))
        was = old.get("identity") or {}
        if sha(was) != sha(new):
            differ = sorted(k for k in set(was) | set(new) if was.get(k) != new.get(k))
            raise ScenarioError([f"{out}: holds the runs of a different {old.get('kind', 'sweep')} "
                                 f"(spec {old.get('spec_file')}); it differs in: {', '.join(differ)}; resuming needs the "
                                 f"same scenario (file content included), overrides, keys, design, seed, replicates, "
                                 f"scale and behavioural parameters; use another --out folder"])
        old_v, new_v = old.get("versions", {}), versions()
        changed = [k for k in new_v if old_v.get(k) != new_v[k]]
        if changed:
            log.warning("%s: resuming with other package versions than it started with (%s)", out, ", ".join(changed))
    elif runs_dir.exists() and any(runs_dir.glob("*.parquet")):
        raise ScenarioError([f"{out}: holds runs but no _sweep.json; use another --out folder"])
    runs_dir.mkdir(parents=True, exist_ok=True)
    clean_stale_files(runs_dir)   # half-written files of killed runs
    if not meta.exists():
        write_text_atomic(meta, json.dumps(metadata(plan), indent=1, default=str))
    if plan.spec_path == IN_MEMORY:
        write_text_atomic(out / "_spec.json", json.dumps(plan.spec, indent=1, default=str))
    else:
        copy_file_atomic(plan.spec_path, out / "_spec.toml")
    return runs_dir

