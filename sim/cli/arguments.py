"""argparse types for the options that take numbers and addresses.

The checks are the input boundary's (`sim.inputs.check_*`); here their InputError becomes the
ArgumentTypeError that argparse reports as `argument --seed: ...; allowed: ...` with exit code 2.
(An InputError is a ValueError, which argparse would otherwise swallow into "invalid value".)
"""

from __future__ import annotations

import argparse
from typing import Callable, TypeVar

from sim import inputs

T = TypeVar("T")


def argument_type(check: Callable[[str], T], name: str) -> Callable[[str], T]:
    """The argparse type `name` that parses an option's text with `check`."""
    def parse(text: str) -> T:
        try:
            return check(text)
        except inputs.InputError as exc:
            raise argparse.ArgumentTypeError("; ".join(exc.problems)) from None

    parse.__name__ = parse.__qualname__ = name
    parse.__doc__ = f"argparse type: {check.__doc__}"
    return parse


seed = argument_type(inputs.check_seed, "seed")
replicates = argument_type(inputs.check_replicates, "replicates")
positive_int = argument_type(inputs.check_positive_int, "positive_int")
scale = argument_type(inputs.check_scale, "scale")
scheduler_address = argument_type(inputs.check_scheduler_address, "scheduler_address")
port = argument_type(inputs.check_port, "port")
host = argument_type(inputs.check_host, "host")
language = argument_type(inputs.check_language, "language")
