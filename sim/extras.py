"""Optional dependencies: which extra of `pip install "relocsim[...]"` provides which command.

The core install (run, validate, compare, plots) needs none of them. A command that needs one calls
`require` before it reads or writes anything, so a missing package is a clear input error (exit 2)
that names the extra to install, not an ImportError traceback halfway through.
"""

from __future__ import annotations

import importlib.util

from sim.inputs import InputError

EXTRAS = {  # extra -> (import name, distribution) of what it provides; mirrors pyproject.toml
    "sweep": (("pyarrow", "pyarrow"), ("distributed", "dask[distributed]")),
    "calibrate": (("optuna", "optuna"), ("sklearn", "scikit-learn")),
    "optimise": (("optuna", "optuna"), ("pyarrow", "pyarrow")),
    "sensitivity": (("SALib", "SALib"), ("pyarrow", "pyarrow")),
    "dashboard": (("solara", "solara==1.58.2"), ("solara_assets", "solara-assets==1.58.2")),
}


class MissingExtra(InputError):
    """An optional package a command needs is not installed."""


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-installed package counts as missing
        return False


def require(module: str, extra: str, what: str) -> None:
    """Raise MissingExtra naming the extra when `module` cannot be imported; `what` is the command or option."""
    if not installed(module):
        dist = dict(p for pairs in EXTRAS.values() for p in pairs).get(module, module)
        raise MissingExtra([f"{what}: needs {dist}, which is not installed; allowed: install the [{extra}] extra, "
                            f"pip install \"relocsim[{extra}]\" (or \"relocsim[all]\"; from a clone: pip install -e \".[{extra}]\")"])


def require_extra(extra: str, what: str) -> None:
    """Every package of one extra."""
    for module, _dist in EXTRAS[extra]:
        require(module, extra, what)
