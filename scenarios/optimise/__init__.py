"""The shipped policy search specs (TOML), installed as `sim.scenarios.optimise`."""
