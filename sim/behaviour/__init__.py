"""The phases of the month, one module per step of the programme."""

from sim.behaviour.adaptation import adaptation
from sim.behaviour.application import documents, review, selection
from sim.behaviour.awareness import awareness_and_decision, init_probabilities
from sim.behaviour.decision import deciding
from sim.behaviour.employment import employment
from sim.behaviour.finances import finances, subsidies
from sim.behaviour.housing import housing
from sim.behaviour.relocation import moving
from sim.behaviour.returns import returns
from sim.behaviour.year import new_year

__all__ = [
    "adaptation", "awareness_and_decision", "deciding", "documents", "employment", "finances", "housing",
    "init_probabilities", "moving", "new_year", "returns", "review", "selection", "subsidies",
]
