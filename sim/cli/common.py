"""Options shared by several commands (their argparse types are in `sim.cli.arguments`), and the one
place the command line turns `--parameters posterior|defaults` into a parameter ensemble for the experiments."""

from __future__ import annotations

import argparse

from sim.ensemble import PARAMETER_SOURCES


def add_parameters_argument(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--parameters", choices=PARAMETER_SOURCES, default="posterior", help=help_text)


def ensemble_for(parameters: str):
    """The calibrated ensemble (calibration/posterior.csv) for "posterior", if shipped; None for
    "defaults" or when there is none (the runs then use the schema defaults)."""
    if parameters == "defaults":
        return None
    from calibration.ensemble import posterior

    return posterior()
