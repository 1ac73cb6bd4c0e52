"""The shipped sweep and sensitivity specs (TOML), installed as `sim.scenarios.sweeps`."""
