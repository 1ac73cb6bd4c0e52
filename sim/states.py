"""Household state: the coded states, and the one declaration of every array the model holds.

Every household array of `RelocationModel` is declared here once, in the spirit of Starsim's
`define_states`: its name, dtype, initial value, meaning, and the phases of the month
(`sim.model.PHASES`) that write it. The model allocates its arrays from `HOUSEHOLD_STATE` and
`REGION_STATE`; `tests/test_states.py` runs a model with a guard that records which phase changes which
array and fails when that differs from `writers` below, or when the model holds an undeclared array.
The households' fixed attributes (`HOUSEHOLD_ATTRIBUTES`, drawn once by `sim.population.Households`) and
the counters of the monthly record (`RECORD`, allocated by `sim.outcomes.MonthlyRecord`, with the phases
that add to each) are declared here too, and the same guard checks them.
`tools/state_table.py` writes the tables of docs/ODD.md from these declarations.

To find which phase writes `housing_status`, read its line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sim.regions import DESTINATIONS, SECTORS


class State(IntEnum):
    UNAWARE = 0        # has not heard of the programme
    AWARE = 1          # knows of it, not considering it
    DECIDING = 2       # weighing motives and choosing a destination
    COLLECTING = 3     # collecting documents (IOM Tables 21-22)
    REVIEW = 4         # application under review (IOM Table 23)
    WAITLISTED = 5     # eligible, waiting for quota
    REJECTED = 6       # refused: no qualified member, or defective documents
    MOVING = 7         # approved within quota, moving
    ARRIVED = 8        # in the destination: housing, jobs, subsidies, adaptation
    RETURNED = 9       # went back to the region of origin


N_STATES = len(State)


class Housing(IntEnum):
    """Housing of an arrived household."""

    NONE = 0           # searching, staying with acquaintances or in a hostel
    TEMPORARY = 1      # in a temporary accommodation centre (at most 10 days)
    RENTED = 2
    PROVIDED = 3       # prepared by the local authorities
    OWN = 4            # bought or built


class Job(IntEnum):
    """Work of the household head."""

    NONE = 0
    MATCHED = 1        # job in own sector / qualification (IOM Table 31 "matching fully")
    OTHER = 2          # job outside own qualification
    BUSINESS = 3       # own business


class ReturnReason(IntEnum):
    """Why a household went back (issue 9): the competing hazard that drew its return."""

    NONE = -1          # has not returned
    CLIMATE = 0        # the cold and heating (IOM 3.4.6: could not operate heating stoves; rec. 4.3)
    HOUSING = 1        # no housing, only temporary, or provided housing unsuitable for living (IOM matrix 2.2.2)
    JOB = 2            # jobless after the search
    MONEY = 3          # budget in deficit after debt service, savings gone
    FAMILY = 4         # alone without kin nearby, or family events back home (IOM 3.4.4: "for family reasons")
    OTHER = 5          # the residual: unadapted, homesick, unrecorded reasons


N_REASONS = len(ReturnReason) - 1
RETURN_REASONS = tuple(r.name.lower() for r in ReturnReason if r >= 0)


class Marital(IntEnum):
    """Marital status of the household head (IOM 2.1); a fixed attribute, `hh.marital`."""

    SINGLE = 0
    MARRIED = 1
    DIVORCED = 2
    WIDOWED = 3


class Education(IntEnum):
    """Education of the household head (IOM 2.1, Figure 1); a fixed attribute, `hh.education`."""

    HIGHER = 0
    VOCATIONAL = 1
    GENERAL_SECONDARY = 2
    INCOMPLETE_SECONDARY = 3


class Settlement(IntEnum):
    """Settlement type before departure (IOM Table 13 order); a fixed attribute, `hh.settlement`."""

    REGIONAL_CAPITAL = 0
    OTHER_LARGE_CITY = 1
    SMALL_TOWN = 2
    LARGE_VILLAGE = 3
    DISTRICT_CAPITAL = 4
    VILLAGE = 5


class HousingBefore(IntEnum):
    """Housing before departure (IOM Table 18 order); a fixed attribute, `hh.housing_before`."""

    OWN = 0
    PARENTS = 1
    RELATIVES = 2
    DORMITORY = 3
    RENTED = 4
    RENTED_ROOM = 5
    TEMPORARY_QUARTERS = 6


class TempStatus(IntEnum):
    """Temporary accommodation (IOM Box 1)."""

    NONE = 0           # never queued (housed on arrival, or not arrived)
    QUEUED = 1         # waiting for a bed in a centre
    IN_CENTRE = 2      # in a centre this month (10-day stays)
    DONE = 3           # left the centre, or found housing while queued


class HousingRoute(IntEnum):
    """How an arrival came by housing (IOM Table 29)."""

    UNKNOWN = -1       # not arrived
    SEARCHED = 0       # searched the rental market
    PROVIDED = 1       # provided by the local authorities
    PREARRANGED = 2    # arranged before arrival


class DecisionMode(IntEnum):
    """How the decision to relocate was taken (IOM Table 14)."""

    UNKNOWN = -1       # has not chosen a destination
    INDEPENDENT = 0    # in the family circle
    WITH_RELATIVES = 1  # with relatives and friends who told of the programme
    WITH_RELOCATED = 2  # with contacts who already relocated


class Channel(IntEnum):
    """The channel that brought news of the programme (IOM Tables 15-16)."""

    UNKNOWN = -1       # unaware
    MEDIA = 0          # media and internet
    EMPLOYMENT_CENTRE = 1
    NETWORK = 2        # aware relatives and friends
    RELOCATED_CONTACTS = 3  # contacts who already relocated


class Known(IntEnum):
    """A yes/no outcome observed at a fixed time after arrival."""

    UNKNOWN = -1
    NO = 0
    YES = 1


NEVER = int(np.iinfo(np.int16).max)  # `next_event` of a household with no event within the run

SETUP = "setup"  # written once when the model is built (RelocationModel.__init__), not by a phase


@dataclass(frozen=True)
class Var:
    """One declared array: one value per household (or per destination region)."""

    name: str
    dtype: type
    default: float
    meaning: str
    writers: tuple[str, ...]        # phases (sim.model.PHASES by name) that write it; SETUP for set-up
    codes: type[IntEnum] | None = None  # the enum of a coded array
    survey: bool = False            # kept for the virtual survey (its frames copy it); no decision depends on it
    dims: str = "household"         # one value per household, per destination, or per destination and sector

    def allocate(self, n: int) -> np.ndarray:
        """The initial array for `n` households (region arrays take their shape from `dims`)."""
        shape = {"household": n, "destination": len(DESTINATIONS), "destination × sector": (len(DESTINATIONS), len(SECTORS)),
                 "destination × settlement": (len(DESTINATIONS), 2)}
        return np.full(shape[self.dims], self.default, self.dtype)


def _v(name, dtype, default, meaning, writers, codes=None, survey=False, dims="household") -> Var:
    return Var(name, dtype, default, meaning, tuple(writers.split()), codes, survey, dims)


I8, I16, I32, F32, F64, B = np.int8, np.int16, np.int32, np.float32, np.float64, np.bool_

HOUSEHOLD_STATE: tuple[Var, ...] = (
    # the programme
    _v("state", I8, State.UNAWARE, "programme state", "awareness decision documents review selection moving returns", State),
    _v("timer", I16, 0, "months left in the current delay", "decision documents review selection moving"),
    _v("dest", I8, -1, "destination, an index into DESTINATIONS; −1 for none", "decision selection returns"),
    _v("queued_since", I16, -1, "month the household entered the wait-list", "review selection"),
    _v("application_month", I16, -1, "month the latest application was submitted (−1 before the first: first applications are counted by it)", "documents"),
    _v("collect_month", I16, -1, "month the household last started collecting documents", "decision"),
    _v("approval_month", I16, -1, "month the commission included the household in the quota", "selection"),
    _v("arrival_month", I16, -1, "month of arrival in the destination", "moving"),
    _v("return_month", I16, -1, "month of return to the origin", "returns"),
    _v("return_reason", I8, ReturnReason.NONE, "the reason whose hazard drew the return", "returns", ReturnReason),
    _v("first_dest", I8, -1, "the destination it relocated to, kept when it moves on; returns are counted against it", "moving"),
    # awareness and decision
    _v("p_move", F32, 0.0, "this month's chance of the next pre-application step: becoming aware, or starting to consider",
       "setup new_year decision awareness selection moving returns"),
    _v("next_event", I16, NEVER, "month of the next awareness event (hearing of the programme, or starting to consider), "
       "drawn from `p_move`; NEVER (32767) for none within the run", "setup new_year decision awareness selection moving returns"),
    _v("logit_static", F32, 0.0, "the part of the decision logit that does not change during a run", "setup"),
    _v("aware_contacts", I16, 0, "contacts who became aware while it was unaware (all the awareness chance reads; no longer counted once it is aware)", "awareness"),
    _v("mover_contacts", I16, 0, "contacts now living in a destination", "moving returns"),
    _v("aware_channel", I8, Channel.UNKNOWN, "the channel that brought the news", "awareness", Channel),
    _v("decision_mode", I8, DecisionMode.UNKNOWN, "how the decision was taken (IOM Table 14)", "decision", DecisionMode, True),
    # arrival
    _v("rural_dest", B, False, "placed in a village", "moving"),
    _v("has_contacts", B, False, "had contacts living in the destination on arrival", "moving"),
    _v("supported", B, False, "received orientation, a needs assessment, adaptation services or a women's package", "moving"),
    _v("briefed", B, False, "told of the destination's winters before moving (IOM Table 25) or given adaptation services", "moving"),
    _v("took_courses", B, False, "took courses", "moving"),
    _v("skills_assessed", B, False, "had a skills assessment", "moving"),
    _v("adapt_needed", F32, 0.0, "months needed to adapt; 0 means easy adjustment, no issues", "moving"),
    # housing
    _v("housing_status", I8, Housing.NONE, "housing in the destination", "moving housing returns", Housing),
    _v("temp_status", I8, TempStatus.NONE, "temporary accommodation", "moving housing", TempStatus),
    _v("housing_route", I8, HousingRoute.UNKNOWN, "housing on arrival (IOM Table 29)", "moving", HousingRoute, True),
    _v("poor_housing", B, False, "lives in provided housing unsuitable for living (IOM matrix 2.2.2)", "moving housing returns"),
    _v("certificate", B, False, "holds an economic mobility certificate to buy housing (source 001)", "moving"),
    _v("housed_month", I16, -1, "first month with housing other than none or temporary", "moving housing", survey=True),
    # work
    _v("job", I8, Job.NONE, "work of the head", "employment returns", Job),
    _v("hired_month", I16, -1, "month the head's current job began; −1 without one", "employment returns"),
    _v("job_sector", I8, -1, "sector of the head's job, an index into SECTORS", "employment", survey=True),
    _v("side_business", B, False, "the employed head also runs a side business", "employment returns"),
    _v("business_grant", B, False, "received a grant or microcredit to start a business (source 000)", "moving"),
    _v("employer_claimed", B, False, "the employer-subsidy claim has been decided for this household", "employment"),
    _v("job_problems", B, False, "the head (not inactive) had no job 6 months after arrival or, arrived under 6 months ago, has none "
       "yet: IOM Table 27's problems with getting a job, answered from what the household has lived so far", "adaptation", survey=True),
    _v("employed_12m", I8, Known.UNKNOWN, "employed 12 months after arrival", "adaptation", Known),
    # money (MCI inside the formulas, tenge when paid)
    _v("pay_month", I16, -1, "first month subsidies can be paid", "moving"),
    _v("pay_bin", I8, -1, "duration category of the wait for the first payment, an index into sim.schema.PAYMENT_BINS", "moving", survey=True),
    _v("reloc_due", F64, 0.0, "relocation subsidy not yet paid, MCI", "moving subsidies"),
    _v("claims_rent", B, False, "claims the rent subsidy (drawn on arrival)", "moving"),
    _v("rent_accrued", I16, 0, "months of rent subsidy fallen due", "subsidies"),
    _v("rent_paid_months", I16, 0, "months of rent subsidy paid", "subsidies"),
    _v("cash", F64, 0.0, "household cash, tenge", "moving subsidies finances"),
    _v("deficit", B, False, "cash < 0 this month", "finances"),
    _v("subsidy_reloc", F64, 0.0, "relocation subsidy paid, tenge", "subsidies"),
    _v("subsidy_rent", F64, 0.0, "rent subsidy paid, tenge", "subsidies"),
    _v("subsidy_employer", F64, 0.0, "employer subsidy paid for the household's head, tenge", "employment"),
    _v("reimbursed", F64, 0.0, "subsidies repaid on return, tenge", "returns"),
    _v("services_cost", F64, 0.0, "programme cost of the services given to the household, tenge", "moving"),
)

# Arrays of one value per destination region (quotas in simulated persons; vacancies by sector).
REGION_STATE: tuple[Var, ...] = (
    _v("quota_year", np.int64, 0, "this year's quota, simulated persons", "new_year", dims="destination"),
    _v("quota_left", np.int64, 0, "quota left this year, simulated persons", "new_year selection", dims="destination"),
    _v("openings", F64, 0.0, "vacancies open now", "new_year employment", dims="destination × sector"),
    _v("rentals_left", F64, 0.0, "rental flats on offer to arrivals this month, simulated households (town, village)", "housing", dims="destination × settlement"),
)

# Arrays fixed at set-up that are not state: the simulated years and the wage by education (MCI).
SETUP_CONSTANTS = ("years", "wage_mci")

STATE = {v.name: v for v in HOUSEHOLD_STATE + REGION_STATE}


# --------------------------------------------------------------------------- fixed household attributes

@dataclass(frozen=True)
class Attribute:
    """One fixed attribute of the households (`sim.population.Households`, `model.hh`), drawn at set-up."""

    name: str
    dtype: type
    meaning: str                    # with its unit where it has one
    codes: type[IntEnum] | None = None
    writers: tuple[str, ...] = (SETUP,)  # set-up only: a phase that changes a fixed attribute must be named here


HOUSEHOLD_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("origin", I8, "origin region, an index into `ORIGINS`; households are stored grouped by origin"),
    Attribute("settlement", I8, "settlement type before departure (IOM Table 13)", Settlement),
    Attribute("rural_origin", B, "the settlement is a large village or a village"),
    Attribute("female", B, "the head is a woman"),
    Attribute("young", B, "the head is under 30"),
    Attribute("age", I8, "the head's age, years: 20–29 if young, else 30–59; no phase reads it"),
    Attribute("education", I8, "the head's education", Education),
    Attribute("qualified", B, "the head holds a qualification"),
    Attribute("marital", I8, "the head's marital status", Marital),
    Attribute("spouse_qualified", B, "a married head's spouse holds a qualification"),
    Attribute("sector", I8, "the head's sector, an index into `SECTORS`"),
    Attribute("size", I16, "persons: 1 + [married] + children"),
    Attribute("housing_before", I8, "housing before departure (IOM Table 18)", HousingBefore),
    Attribute("own_home", B, "the housing before departure was owned"),
    Attribute("bank_loan", B, "an active bank loan"),
    Attribute("consumer_credit", B, "an active consumer credit"),
    Attribute("debt_mci", F32, "monthly debt service, MCI"),
    Attribute("jobless", B, "no stable work before departure"),
    Attribute("centre_contact", B, "a jobless head in touch with an employment centre"),
    Attribute("income_mci", F32, "monthly income at origin, MCI; used only to set savings"),
    Attribute("savings_mci", F32, "savings, MCI"),
    Attribute("business_intent", B, "wants to start a business"),
    Attribute("eligible", B, "`qualified` or `spouse_qualified`: the household meets the programme's requirement (IOM 3.3.1)"),
    Attribute("inactive", B, "a female head on maternity leave: she never seeks work"),
)


# --------------------------------------------------------------------------- the monthly record

MONTH_END = "end_month"  # written by MonthlyRecord.end_month after the phases (the month's stocks), not by a phase


@dataclass(frozen=True)
class Counter:
    """One array of the monthly record (`sim.outcomes.MonthlyRecord`): what the phases count as they run.

    Counts are of simulated households and persons; the outputs scale them to national totals."""

    name: str
    dims: tuple[str, ...]           # its axes: month, year, origin, destination, reason, subsidy or state
    unit: str                       # households, persons, tenge or share
    meaning: str
    writers: tuple[str, ...]        # phases (sim.model.PHASES by name) that add to it; MONTH_END for the month's close

    @property
    def dtype(self) -> type:
        return np.float64 if self.unit in ("tenge", "share") else np.int64

    def allocate(self, sizes: dict[str, int]) -> np.ndarray:
        """The zeroed array, each axis as long as `sizes` says (month: the run's months, ...)."""
        return np.zeros(tuple(sizes[d] for d in self.dims), self.dtype)


def _c(name, dims, unit, meaning, writers) -> Counter:
    return Counter(name, tuple(dims.split(" × ")), unit, meaning, tuple(writers.split()))


HH, PERSONS = "households", "persons"

RECORD: tuple[Counter, ...] = (
    _c("applications_hh", "month", HH, "applications submitted", "documents"),
    _c("applications_persons", "month", PERSONS, "persons of the households that applied", "documents"),
    _c("applications_first_hh", "month", HH, "households applying for the first time", "documents"),
    _c("approvals_hh", "month", HH, "households the commissions included in the quota", "selection"),
    _c("rejections_hh", "month", HH, "applications refused at review", "review"),
    _c("gave_up_hh", "month", HH, "wait-listed households that gave up waiting", "selection"),
    _c("deferred_hh", "month", HH, "choices put off: the household was told no destination had quota room", "decision"),
    _c("chose_hh", "month", HH, "considering households that chose a destination", "decision"),
    _c("arrivals_hh", "month", HH, "households that arrived in a destination", "moving"),
    _c("arrivals_persons", "month", PERSONS, "persons who arrived in a destination", "moving"),
    _c("returns_hh", "month", HH, "households that went back to the origin", "returns"),
    _c("moved_on_hh", "month", HH, "households that moved on to another destination", "returns"),
    _c("temp_placed", "month", HH, "households placed in a temporary accommodation centre", "housing"),
    _c("temp_queue", "month", HH, "households queued for a bed in a centre and not placed", "housing"),
    _c("arrivals_persons_dest", "month × destination", PERSONS, "arrivals by destination", "moving"),
    _c("returns_persons_dest", "month × destination", PERSONS,
       "returns, counted against the destination the household relocated to (`first_dest`)", "returns"),
    _c("returns_persons_reason", "month × reason", PERSONS, "returns by the `ReturnReason` whose hazard drew them", "returns"),
    _c("flows_persons", "year × origin × destination", PERSONS, "arrivals by origin and destination", "moving"),
    _c("approved_persons_year", "year × destination", PERSONS, "persons the commissions included in the quota", "selection"),
    _c("quota_persons_year", "year × destination", PERSONS, "the year's quota", "new_year"),
    _c("paid", "month × subsidy", "tenge", "subsidies paid, by type (`sim.programme.SUBSIDY_TYPES`)", "employment subsidies"),
    _c("reimbursed", "month", "tenge", "subsidies repaid on return", "returns"),
    _c("campaign_cost", "month", "tenge", "cost of the information campaign, booked in January", "new_year"),
    _c("services_cost", "month", "tenge", "programme cost of the services given to arrivals (`sim.schema.SERVICE_COSTS`)", "moving"),
    _c("asked_back", "month", "tenge", "subsidies due for repayment on return, paid or not", "returns"),
    _c("state_counts", "month × state", HH, "households in each programme `State` at the month's end", MONTH_END),
    _c("in_destination_persons", "month", PERSONS, "persons of ARRIVED households at the month's end", MONTH_END),
    _c("employed_share", "month", "share", "ARRIVED households whose head has any job, business included", MONTH_END),
    _c("housed_share", "month", "share", "ARRIVED households renting, in provided housing or in their own", MONTH_END),
)
