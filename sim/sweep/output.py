"""A sweep's results on disk: one Parquet file per finished run (written atomically), read back as one table."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sim.output_folder import atomic_file
from sim.sweep.spec import RUN_COLUMNS

if TYPE_CHECKING:
    from sim.sweep.plan import Plan


def arrow_type(dtype: str):
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}[dtype]


def write_row(row: dict, plan: Plan, runs_dir: Path) -> Path:
    """One run -> runs_dir/<run_id>.parquet, written atomically. Every file of a sweep
    has the same schema: outcomes are float64 (None -> null) unless they are text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field("run_id", pa.string()), pa.field("point", pa.int64()), pa.field("replicate", pa.int64()),
              pa.field("seed", pa.int64()), pa.field("scale", pa.float64()), pa.field("parameter_set", pa.int64())]
    data: dict[str, list] = {k: [row[k]] for k in RUN_COLUMNS}
    for p in plan.params:
        fields.append(pa.field(p.key, arrow_type(p.dtype)))
        data[p.key] = [row["params"][p.key]]
    for k, v in row["outcomes"].items():
        if k in data:
            continue
        if isinstance(v, str):
            fields.append(pa.field(k, pa.string()))
            data[k] = [v]
        else:
            fields.append(pa.field(k, pa.float64()))
            data[k] = [None if v is None else float(v)]
    table = pa.Table.from_pydict(data, schema=pa.schema(fields))
    final = runs_dir / f"{row['run_id']}.parquet"
    with atomic_file(final) as tmp:   # hidden: pyarrow skips names starting with '.'
        pq.write_table(table, tmp, use_dictionary=False, store_schema=False)  # one row: dictionaries and the arrow schema only add bytes
    return final


def read_runs(out: str | Path, columns: list[str] | None = None):
    """The finished runs of a sweep folder as a DataFrame, one row per run, ordered by point and replicate."""
    import pandas as pd

    runs_dir = Path(out) / "runs"
    if not runs_dir.is_dir() or not any(runs_dir.glob("*.parquet")):
        return pd.DataFrame(columns=list(columns) if columns else list(RUN_COLUMNS))
    df = pd.read_parquet(runs_dir, columns=columns)
    order = [c for c in ("point", "replicate") if c in df.columns]
    if order:
        df = df.sort_values(order, kind="stable")
    return df.reset_index(drop=True)

