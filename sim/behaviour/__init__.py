"""The phases of the month, one module per step of the programme."""

from sim.behaviour.adaptation import adaptation
from sim.behaviour.awareness import awareness, init_probabilities
from sim.behaviour.decision import decision
from sim.behaviour.documents import documents
from sim.behaviour.employment import employment
from sim.behaviour.finances import finances
from sim.behaviour.housing import housing
from sim.behaviour.moving import moving
from sim.behaviour.new_year import new_year
from sim.behaviour.returns import returns
from sim.behaviour.review import review
from sim.behaviour.selection import selection
from sim.behaviour.subsidies import subsidies

__all__ = [
    "adaptation", "awareness", "decision", "documents", "employment", "finances", "housing",
    "init_probabilities", "moving", "new_year", "returns", "review", "selection", "subsidies",
]
