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


def add_language_argument(p: argparse.ArgumentParser) -> None:
    """`--lang en|kk|ru`: the language of what a reader sees (plots, printed summaries, the brief); files
    and their columns stay English. Without it, RELOCSIM_LANG, else English (see `language_of`)."""
    from sim.cli import arguments

    p.add_argument("--lang", type=arguments.language, default=None, metavar="{en,kk,ru}",
                   help="language of plots, printed text and the brief: en, kk (Kazakh) or ru (Russian); default: "
                        "RELOCSIM_LANG, else en. File names, keys and CSV columns stay English")


def language_of(args) -> str:
    """The language a command writes in: --lang, else RELOCSIM_LANG (checked the same way), else English."""
    import os

    from sim import i18n
    from sim.inputs import InputError, check_language

    lang = getattr(args, "lang", None)
    if lang is None:
        env = os.environ.get(i18n.ENV)
        if not env:
            return "en"
        try:
            return check_language(env)
        except InputError as exc:
            raise InputError([f"{i18n.ENV}={p}" for p in exc.problems]) from None
    return lang
