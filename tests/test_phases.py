"""The month's phases are found where their names say."""

import importlib

from sim.model import PHASES


def test_each_phase_lives_in_the_module_named_after_it():
    misplaced = [f"{p.__name__} in {p.__module__}" for p in PHASES if p.__module__ != f"sim.behaviour.{p.__name__}"]
    assert misplaced == []


def test_each_phase_module_holds_one_phase():
    names = {p.__name__ for p in PHASES}
    for p in PHASES:
        module = importlib.import_module(p.__module__)
        others = {n for n in names - {p.__name__} if getattr(module, n, None) in PHASES}
        assert others == set(), f"{p.__module__} also holds {others}"
