"""RelocationModel: set-up and the month's phases in order.

Household state lives in numpy arrays (one per attribute, indexed by household); each phase acts on
all households at once. Regions are few and appear as `RegionAgent` Mesa agents for inspection;
Mesa's DataCollector records the model-level monthly series.
"""

from __future__ import annotations

from typing import Callable, Iterable

import mesa
import numpy as np

from sim import behaviour
from sim.outcomes import MonthlyRecord, model_reporters
from sim.population import Households, SocialNetwork, households_by_origin
from sim.programme import Programme
from sim.regions import DESTINATIONS, ORIGINS, SECTORS
from sim.rng import Streams
from sim.scenario import Scenario
from sim.states import N_STATES, Housing, Job, State
from sim.world import World

# Order of the month: read top to bottom.
PHASES = (
    behaviour.new_year,          # quotas, vacancies and subsidy levels of the year
    behaviour.deciding,          # last month's considering households give up or choose a destination
    behaviour.awareness_and_decision,
    behaviour.documents,         # collecting documents, then review
    behaviour.review,            # eligibility
    behaviour.selection,         # quota or wait-list
    behaviour.moving,            # travel, arrival, temporary accommodation request
    behaviour.housing,
    behaviour.employment,
    behaviour.subsidies,
    behaviour.finances,
    behaviour.adaptation,
    behaviour.returns,
)


class RegionAgent(mesa.Agent):
    """A destination region; its quota and markets live in the model's region arrays."""

    def __init__(self, model: "RelocationModel", index: int):
        super().__init__(model)
        self.index = index
        self.region_id = DESTINATIONS[index]

    @property
    def quota_left_persons(self) -> int:
        return int(self.model.quota_left[self.index])

    @property
    def arrived_households(self) -> int:
        m = self.model
        return int(np.count_nonzero((m.state == State.ARRIVED) & (m.dest == self.index)))


class RelocationModel(mesa.Model):
    """The South–North relocation programme, month by month.

    Args:
        scenario: a validated Scenario (see `sim.scenario.load`).
        seed: the run's seed; every decision draws from its own stream derived from it.
        scale: fraction of households simulated (overrides the scenario's population.scale).
        check_invariants: verify the model's invariants after every month (tests).

    Observers: `observe(callback, months)` registers `callback(model)`, called at the end of each
    listed month (every month if `months` is None), after the month's records, before the invariants
    are checked. Callbacks read the model's public state (household arrays, `hh`, `month`, `years`,
    `month_of`, `scale`, `scenario`, `return_risk`) and must not change it. This is how the
    calibration takes its virtual-survey frames and expected returns (calibration/observe.py).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, scale: float | None = None, check_invariants: bool = False):
        super().__init__(seed=seed)
        self.scenario = scenario
        self.seed_value = int(seed)
        self.b = scenario.behaviour
        self.scale = float(scale if scale is not None else scenario.data["population"]["scale"])
        self.streams = Streams(seed)
        self.world = World()
        self.prog = Programme(scenario)
        # a scenario with `starts` follows its parent's programme until that year
        self._progs = (Programme(scenario.before), self.prog) if scenario.starts else None
        self.years = scenario.years
        self.n_months = scenario.months
        self.month = 0
        self.check = check_invariants
        self._observers: list[tuple[Callable[["RelocationModel"], None], frozenset[int] | None]] = []
        wage = np.array([self.b[f"wage_mci_{e}"] for e in ("higher", "vocational", "general", "incomplete")], np.float32)
        self.wage_mci = wage
        n_by_origin = households_by_origin(self.scale, scenario.data["population"]["mean_household_size"])
        self.hh = Households(n_by_origin, self.streams.generator("population"), wage, self.b["second_earner_share"])
        self.net = SocialNetwork(self.hh, self.streams.generator("network"))
        self.n = self.hh.n
        self._init_state()
        self.regions = [RegionAgent(self, j) for j in range(len(DESTINATIONS))]
        # Mesa 3.3 counts agent ids in a class-level dict keyed by model, which would keep every model
        # (and its arrays) alive for good; no agents are created after set-up, so drop the entry.
        mesa.Agent._ids.pop(self, None)
        self.record = MonthlyRecord(self.n_months, len(ORIGINS), len(DESTINATIONS), len(self.years))
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        behaviour.init_probabilities(self)

    def _init_state(self) -> None:
        n = self.n
        self.state = np.zeros(n, np.int8)
        self.timer = np.zeros(n, np.int16)
        self.dest = np.full(n, -1, np.int8)
        self.queued_since = np.full(n, -1, np.int32)
        self.application_month = np.full(n, -1, np.int32)
        self.arrival_month = np.full(n, -1, np.int32)
        self.return_month = np.full(n, -1, np.int32)
        self.housing_status = np.zeros(n, np.int8)
        self.job = np.zeros(n, np.int8)
        self.temp_status = np.zeros(n, np.int8)      # 0 none, 1 queued, 2 in a centre this month, 3 done
        self.rural_dest = np.zeros(n, bool)
        self.pay_month = np.full(n, -1, np.int32)
        self.reloc_due = np.zeros(n, np.float64)      # relocation subsidy not yet paid, MCI (paid x the year's MCI)
        self.rent_accrued = np.zeros(n, np.int16)
        self.claims_rent = np.zeros(n, bool)
        self.rent_paid_months = np.zeros(n, np.int16)
        self.cash = np.zeros(n, np.float64)
        self.deficit = np.zeros(n, bool)
        self.adapt_needed = np.zeros(n, np.float32)  # months needed to adapt; 0 = easy, no issues
        self.supported = np.zeros(n, bool)           # orientation / needs assessment / adaptation services
        self.took_courses = np.zeros(n, bool)
        self.skills_assessed = np.zeros(n, bool)
        self.employed_12m = np.full(n, -1, np.int8)
        self.subsidy_reloc = np.zeros(n, np.float64)
        self.subsidy_rent = np.zeros(n, np.float64)
        self.subsidy_employer = np.zeros(n, np.float64)
        self.reimbursed = np.zeros(n, np.float64)
        self.aware_contacts = np.zeros(n, np.int16)
        self.mover_contacts = np.zeros(n, np.int16)
        self.aware_channel = np.full(n, -1, np.int8)
        self.moved_on = np.zeros(n, np.int16)
        self.has_contacts = np.zeros(n, bool)         # contacts living in the destination on arrival
        self._considering = np.zeros(0, np.int64)
        self.first_dest = np.full(n, -1, np.int8)     # the destination of the relocation (before any move on)
        self.hired_month = np.full(n, -1, np.int32)
        self.employer_claimed = np.zeros(n, bool)
        # what the virtual survey asks about (IOM Tables 14, 22, 23, 29, 30, 37)
        self.decision_mode = np.full(n, -1, np.int8)  # 0 independently, 1 with relatives/friends, 2 with relocated contacts
        self.doc_bin = np.full(n, -1, np.int8)
        self.proc_bin = np.full(n, -1, np.int8)
        self.pay_bin = np.full(n, -1, np.int8)
        self.housing_route = np.full(n, -1, np.int8)  # 0 searched, 1 provided by authorities, 2 arranged before arrival
        self.housed_month = np.full(n, -1, np.int32)
        self.job_sector = np.full(n, -1, np.int8)
        self.jobless_6m = np.zeros(n, bool)
        self.p_move = np.zeros(n, np.float32)
        # this month's households at risk of return and their return probability (set by the returns phase)
        self.return_risk = (np.zeros(0, np.int64), np.zeros(0))
        self.quota_left = np.zeros(len(DESTINATIONS), np.int64)
        self.quota_year = np.zeros(len(DESTINATIONS), np.int64)
        self.openings = np.zeros((len(DESTINATIONS), len(SECTORS)))

    # ------------------------------------------------------------------ subsets
    def begin_month_index(self) -> None:
        """Index the households past the decision stage once a month (they are few)."""
        st = self.state
        past_aware = np.flatnonzero(st >= State.DECIDING)
        s = st[past_aware]
        self._considering = past_aware[s == State.DECIDING]
        self._active = past_aware[(s >= State.COLLECTING) & (s != State.REJECTED) & (s != State.RETURNED)]

    def deciding_idx(self) -> np.ndarray:
        """Households that started considering before this month (they are few; kept in a list)."""
        return self._considering[self.state[self._considering] == State.DECIDING]

    def active_idx(self, state: State) -> np.ndarray:
        """Households now in `state`, among those indexed this month plus new deciders."""
        a = self._active
        return a[self.state[a] == state]

    def add_active(self, idx: np.ndarray) -> None:
        self._active = np.concatenate([self._active, idx])

    # ------------------------------------------------------------------ time
    @property
    def year_index(self) -> int:
        return self.month // 12

    @property
    def year(self) -> int:
        return int(self.years[self.year_index])

    def month_of(self, year: int, month: int = 0) -> int:
        """The run's month index of a calendar month (0 = January of the first year)."""
        return (year - int(self.years[0])) * 12 + month

    @property
    def mci(self) -> float:
        return float(self.prog.mci[self.year_index])

    def step(self) -> None:
        """One month: every phase acts on all households at once."""
        self.record.start_month(self.month)
        for phase in PHASES:
            phase(self)
        self.record.end_month(self)
        self.datacollector.collect(self)
        for callback, months in self._observers:
            if months is None or self.month in months:
                callback(self)
        if self.check:
            self.check_invariants()
        self.month += 1

    def observe(self, callback: Callable[["RelocationModel"], None], months: Iterable[int] | None = None) -> None:
        """Call `callback(model)` at the end of each month in `months` (0 = January of the first
        year; all months if None), in the order observers were registered."""
        self._observers.append((callback, None if months is None else frozenset(int(mo) for mo in months)))

    def run(self, progress=None) -> "RelocationModel":
        """Run all months of the scenario; `progress` is called with each finished month."""
        while self.month < self.n_months:
            self.step()
            if progress is not None:
                progress(self.month)
        return self

    # ------------------------------------------------------------------ invariants
    def check_invariants(self) -> None:
        """Raise AssertionError if a rule of the programme is broken."""
        counts = np.bincount(self.state, minlength=N_STATES)
        assert counts.sum() == self.n and len(counts) == N_STATES, "household outside the known states"
        r = self.record
        yi = self.year_index
        assert np.all(r.approved_persons_year[yi] <= self.quota_year), "quota exceeded"
        assert np.all(self.quota_left >= 0), "negative quota left"
        assert r.arrivals_hh[: self.month + 1].sum() <= r.approvals_hh[: self.month + 1].sum() <= r.applications_hh[: self.month + 1].sum(), \
            "arrivals <= approvals <= applications violated"
        assert np.all(self.openings >= -1e-9), "negative vacancies"
        assert np.all(self.rent_paid_months <= self.prog.rent_months), "rent subsidy paid beyond its months"
        assert np.all(self.rent_paid_months <= self.rent_accrued), "rent subsidy paid before it was due"
        assert np.all(self.reimbursed <= self.subsidy_reloc + self.subsidy_rent + self.subsidy_employer + 1e-6), "repaid more than received"
        arrived = self.state == State.ARRIVED
        assert np.all(self.dest[arrived] >= 0), "arrived household without destination"
        assert np.all((self.housing_status[~arrived] == Housing.NONE) | (self.state[~arrived] == State.RETURNED)), "housing outside destination"
        assert np.all((self.job[~arrived] == Job.NONE) | (self.state[~arrived] == State.RETURNED)), "job outside destination"
        assert np.count_nonzero(self.temp_status == 2) <= self.prog.temp_places.sum() * self.scale + len(DESTINATIONS), "temporary accommodation over capacity"
