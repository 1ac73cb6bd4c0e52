"""The shipped scenario files (TOML), installed as the data package `sim.scenarios` (see setup.py)."""
