"""What a phase may read and write: the model as the phases see it.

Every phase is a function `phase(m: ModelView) -> None`. `RelocationModel` satisfies this protocol;
`tests/test_states.py` checks that its household and region arrays are exactly those declared in
`sim.states` (where each array's meaning and writing phases are given).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from sim.outcomes import MonthlyRecord
    from sim.params import Behaviour
    from sim.population import Households, SocialNetwork
    from sim.programme import Programme
    from sim.rng import Streams
    from sim.scenario import Scenario
    from sim.states import State
    from sim.world import World


@runtime_checkable
class ModelView(Protocol):
    """The model's inputs, clock, household and region arrays, and the month's index of active households."""

    # inputs, fixed during a run
    scenario: Scenario
    b: Behaviour                  # behavioural parameters (sim.params)
    hh: Households                # fixed household attributes (sim.population)
    net: SocialNetwork
    world: World                  # regions, distances, markets
    prog: Programme               # this year's programme rules
    programmes: tuple[Programme, Programme] | None  # before and from `scenario.starts`, if it has one
    streams: Streams              # named random streams (sim.rng): the only source of random numbers
    record: MonthlyRecord         # the month's counters
    scale: float
    n: int
    years: np.ndarray
    wage_mci: np.ndarray          # monthly wage by education, MCI

    # for observers (RelocationModel.observe): this month's households at risk of return, and their probability
    return_risk: tuple[np.ndarray, np.ndarray]

    # clock
    month: int
    n_months: int

    # the awareness calendar (sim.behaviour.awareness): households filed by the month of their next event
    calendar: list[list[np.ndarray]]
    pull_terms: tuple[float, float, float, float]  # the terms the decision chances were computed with (awareness.pull_terms)
    schedule_from: int            # the first month a waiting time drawn now governs (set by new_year, then awareness)

    @property
    def year_index(self) -> int: ...
    @property
    def year(self) -> int: ...
    @property
    def mci(self) -> float: ...

    # the month's index of households past the decision stage (RelocationModel.begin_month_index)
    def begin_month_index(self) -> None: ...
    def deciding_idx(self) -> np.ndarray: ...
    def active_idx(self, state: State) -> np.ndarray: ...
    def add_active(self, idx: np.ndarray) -> None: ...
    def add_deciding(self, idx: np.ndarray) -> None: ...
    ever_aware: int               # households that have heard of the programme (set by awareness)

    # household arrays (sim.states.HOUSEHOLD_STATE)
    state: np.ndarray
    timer: np.ndarray
    dest: np.ndarray
    queued_since: np.ndarray
    application_month: np.ndarray
    collect_month: np.ndarray
    approval_month: np.ndarray
    arrival_month: np.ndarray
    return_month: np.ndarray
    first_dest: np.ndarray
    return_reason: np.ndarray
    p_move: np.ndarray
    next_event: np.ndarray
    logit_static: np.ndarray
    aware_contacts: np.ndarray
    mover_contacts: np.ndarray
    aware_channel: np.ndarray
    decision_mode: np.ndarray
    rural_dest: np.ndarray
    has_contacts: np.ndarray
    supported: np.ndarray
    briefed: np.ndarray
    took_courses: np.ndarray
    skills_assessed: np.ndarray
    adapt_needed: np.ndarray
    housing_status: np.ndarray
    temp_status: np.ndarray
    housing_route: np.ndarray
    poor_housing: np.ndarray
    certificate: np.ndarray
    housed_month: np.ndarray
    job: np.ndarray
    hired_month: np.ndarray
    job_sector: np.ndarray
    side_business: np.ndarray
    business_grant: np.ndarray
    employer_claimed: np.ndarray
    job_problems: np.ndarray
    employed_12m: np.ndarray
    pay_month: np.ndarray
    pay_bin: np.ndarray
    reloc_due: np.ndarray
    claims_rent: np.ndarray
    rent_accrued: np.ndarray
    rent_paid_months: np.ndarray
    cash: np.ndarray
    deficit: np.ndarray
    subsidy_reloc: np.ndarray
    subsidy_rent: np.ndarray
    subsidy_employer: np.ndarray
    reimbursed: np.ndarray
    services_cost: np.ndarray

    # region arrays (sim.states.REGION_STATE)
    quota_year: np.ndarray
    quota_left: np.ndarray
    openings: np.ndarray
    rentals_left: np.ndarray
