"""RelocationModel: set-up and the month's phases in order.

Household state lives in numpy arrays (one per attribute, indexed by household), declared in
`sim.states`; each phase acts on all households at once and sees the model through the protocol
`sim.protocol.ModelView`. `MonthlyRecord` records the monthly series. Random numbers come only from the
named streams of `sim.rng`.

The model is a `mesa.Model`: seeded from the run's seed, stepped a month at a time, stopped by
`running`, with its monthly series in `datacollector` (Mesa's DataCollector reading the record), so
Mesa's `batch_run` and anything built on `mesa.Model` work on it. The households are not
`mesa.Agent` objects: millions of them act each month, which only arrays can do in time.
"""

from __future__ import annotations

from typing import Callable, Iterable

import mesa
import numpy as np

from sim import behaviour, interrupts
from sim.behaviour.common import sorted_distinct
from sim.collector import RecordCollector
from sim.outcomes import MonthlyRecord
from sim.params import Behaviour
from sim.population import Households, SocialNetwork, households_by_origin
from sim.programme import Programme
from sim.protocol import ModelView
from sim.regions import DESTINATIONS, ORIGINS
from sim.rng import Streams, declare
from sim.scenario import Scenario, load
from sim.states import HOUSEHOLD_STATE, N_STATES, REGION_STATE, Housing, Job, ReturnReason, State, TempStatus
from sim.world import World

POPULATION = declare("population", "population", 0, "the synthetic households (set-up)", __name__, sequential=True)
NETWORK = declare("network", "network", 0, "the households' contacts (set-up)", __name__, sequential=True)

# Order of the month: read top to bottom.
PHASES = (
    behaviour.new_year,          # quotas, vacancies and subsidy levels of the year
    behaviour.decision,          # last month's considering households give up or choose a destination
    behaviour.awareness,
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


class RelocationModel(mesa.Model, ModelView):
    """The South–North relocation programme, month by month.

    It implements `ModelView`, the protocol through which the phases see it; its household and region
    arrays are allocated from their declaration in `sim.states`.

    Args:
        scenario: a validated Scenario (see `sim.scenario.load`), or a shipped scenario's name or a
            scenario file's path.
        seed: the run's seed; every decision draws from its own stream derived from it, and Mesa's
            own `random` and `rng` are seeded from it too (the phases never use them).
        scale: fraction of households simulated (overrides the scenario's population.scale).
        check_invariants: verify the model's invariants after every month (tests).
        ensemble: behavioural parameters drawn for the seed from this `sim.ensemble.ParameterEnsemble`
            (e.g. `calibration.ensemble.posterior()`, as `relocsim run` does); without one, the scenario's.

    Observers: `observe(callback, months)` registers `callback(model)`, called at the end of each
    listed month (every month if `months` is None), after the month's records, before the invariants
    are checked. Callbacks read the model's public state (household arrays, `hh`, `month`, `years`,
    `month_of`, `scale`, `scenario`, `return_risk`) and must not change it. This is how the
    calibration takes its virtual-survey frames and expected returns (calibration/observe.py).
    """

    def __init__(self, scenario: Scenario | str = "baseline", seed: int = 0, scale: float | None = None,
                 check_invariants: bool = False, ensemble=None):
        super().__init__(seed=int(seed))
        # Mesa wraps `step` in an instance attribute that points back at the model; unwrapped, a
        # finished model's arrays are freed at once rather than at the next cyclic collection.
        # `step` counts Mesa's `steps` itself.
        vars(self).pop("step", None)
        vars(self).pop("_user_step", None)
        if not isinstance(scenario, Scenario):
            scenario = load(scenario)
        if ensemble is not None:
            scenario = scenario.with_behaviour(ensemble.behaviour_draw(int(seed))[1])
        self.scenario = scenario
        self.b = Behaviour.from_dict(scenario.behaviour)
        self.scale = float(scale if scale is not None else scenario.data["population"]["scale"])
        self.streams = Streams(seed)
        self.world = World(self.b)
        self.prog = Programme(scenario)
        # a scenario with `starts` follows its parent's programme until that year
        self.programmes = (Programme(scenario.before), self.prog) if scenario.starts else None
        self.years = scenario.years
        self.n_months = scenario.months
        self.month = 0
        self.check = check_invariants
        self._observers: list[tuple[Callable[["RelocationModel"], None], frozenset[int] | None]] = []
        b = self.b
        wage = np.array([b.wage_mci_higher, b.wage_mci_vocational, b.wage_mci_general, b.wage_mci_incomplete], np.float32)
        self.wage_mci = wage
        n_by_origin = households_by_origin(self.scale, scenario.data["population"]["mean_household_size"])
        self.hh = Households(n_by_origin, self.streams.sequence(POPULATION), wage, b)
        self.net = SocialNetwork(self.hh, self.streams.sequence(NETWORK), b)
        self.n = self.hh.n
        for var in HOUSEHOLD_STATE + REGION_STATE:  # every array as declared in sim.states
            setattr(self, var.name, var.allocate(self.n))
        self._considering = self._active = self._past = np.zeros(0, np.int64)
        self.ever_aware = 0  # households that have heard of the programme (none go back to UNAWARE)
        # this month's households at risk of return and their return probability (set by the returns phase, for observers)
        self.return_risk = (np.zeros(0, np.int64), np.zeros(0))
        self.record = MonthlyRecord(self.n_months, len(ORIGINS), len(DESTINATIONS), len(self.years))
        self.datacollector = RecordCollector(self)
        behaviour.init_probabilities(self)
        interrupts.check()   # a Ctrl-C that numpy swallowed during set-up

    # ------------------------------------------------------------------ subsets
    def begin_month_index(self) -> None:
        """Index the households past the decision stage once a month (they are few): the index of
        last month, less those gone back to AWARE, plus the month's new deciders (`add_deciding`)."""
        past = self._past
        s = self.state[past]
        keep = s >= State.DECIDING
        past, s = past[keep], s[keep]
        self._past = past
        self._considering = past[s == State.DECIDING]
        self._active = past[(s >= State.COLLECTING) & (s != State.REJECTED) & (s != State.RETURNED)]

    def add_deciding(self, idx: np.ndarray) -> None:
        """Households that started considering this month join the index (ascending, once each)."""
        self._past = sorted_distinct(np.concatenate([self._past, idx]))

    def state_counts(self) -> np.ndarray:
        """Households in each `State` now, without a pass over every household: UNAWARE and AWARE
        from the count of those who ever heard, the rest from the index."""
        s = self.state[self._past]
        counts = np.bincount(s[s >= State.DECIDING], minlength=N_STATES)
        counts[State.UNAWARE] = self.n - self.ever_aware
        counts[State.AWARE] = self.ever_aware - counts[State.DECIDING:].sum()
        return counts

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
        interrupts.check()   # a Ctrl-C that numpy swallowed during the month
        for callback, months in self._observers:
            if months is None or self.month in months:
                callback(self)
        if self.check:
            self.check_invariants()
        self.month += 1
        self.steps = self.month
        self.running = self.month < self.n_months

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
        assert np.array_equal(self.state_counts(), counts), "the index of households past AWARE is out of date"
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
        assert np.array_equal(self.return_reason != ReturnReason.NONE, self.state == State.RETURNED), "return without a reason, or a reason without a return"
        assert np.array_equal(r.returns_persons_reason.sum(axis=1), r.returns_persons_dest.sum(axis=1)), "returns by reason do not sum to returns"
        assert np.all(self.dest[arrived] >= 0), "arrived household without destination"
        assert np.all((self.housing_status[~arrived] == Housing.NONE) | (self.state[~arrived] == State.RETURNED)), "housing outside destination"
        assert np.all((self.job[~arrived] == Job.NONE) | (self.state[~arrived] == State.RETURNED)), "job outside destination"
        assert np.count_nonzero(self.temp_status == TempStatus.IN_CENTRE) <= self.prog.temp_places.sum() * self.scale + len(DESTINATIONS), "temporary accommodation over capacity"
