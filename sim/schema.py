"""The scenario schema: every key a scenario file may hold, its type, bounds and source.

This is the one place where policy levers and behavioural parameters are declared. Validation
(`sim.scenario`) walks a scenario against it; `docs/parameters.md` is generated from it. Behavioural
parameters carry defaults and calibration bounds; programme levers have no default and must come
from the scenario (the baseline names the source of each value).
"""

from __future__ import annotations

# The kinds of key are declared in sim.fields; they are imported from here too (sim.scenario, tools, tests).
from sim.fields import (  # noqa: F401
    REGION_KINDS, Choice, Num, Probs, RegionMap, RegionYears, Section, Text, YearSchedule, describe, required,
)

# Category labels of the survey's duration questions and the month ranges the model draws from.
DOCUMENT_BINS = ["less_than_month", "1_3_months", "3_6_months", "9_12_months", "over_year"]
PROCESSING_BINS = ["less_than_month", "1_3_months", "3_6_months", "6_9_months", "9_12_months", "over_year"]
MOVING_BINS = ["less_than_month", "1_3_months"]
PAYMENT_BINS = [
    "before_departure", "on_arrival", "up_to_month", "1_3_months", "3_6_months", "over_6_months", "still_waiting",
]
BIN_MONTHS = {
    "before_departure": (0, 0), "on_arrival": (0, 0), "less_than_month": (0, 0), "up_to_month": (0, 0),
    "1_3_months": (1, 2), "3_6_months": (3, 5), "6_9_months": (6, 8), "9_12_months": (9, 11),
    "over_6_months": (6, 9), "over_year": (12, 18), "still_waiting": (12, 24),
}
REPAYMENT_RULES = ["none", "relocation", "all"]


# The four destination regions of the IOM survey: regional parameters exist for these only.
SURVEYED = ("north_kazakhstan", "pavlodar", "kostanay", "east_kazakhstan")

# Provenance of a behavioural parameter: its `source` starts with one of these words (tests/test_provenance.py).
PROVENANCE = ("calibrated", "assumed", "sourced")
CALIBRATED = ("calibrated: free in `relocsim calibrate` (calibration/calibrate.py FREE); the shipped ensemble "
              "calibration/posterior.csv (the last refine study of docs/ODD.md 8.5) overrides the default")


# What each service costs the programme per household served (MCI). The sources give no unit costs
# (IOM 2021 and the 2024 figures count people covered, not money), so these are assumptions of the order
# of a day's (orientation, assessments), a week's (adaptation services, women's package) and a month's
# (courses) work of a specialist at about 30 MCI a month; they price the services in programme cost and in
# `relocsim optimise`, and never change who moves or stays.
SERVICE_COSTS = (
    ("orientation", "orientation before moving", 1.0),
    ("needs_assessment", "a personal needs assessment", 2.0),
    ("adaptation_services", "adaptation and integration services", 10.0),
    ("courses", "courses", 30.0),
    ("skills_assessment", "a skills assessment at selection", 2.0),
    ("women_package", "the women's package", 10.0),
)
SERVICE_COST_SOURCE = "assumption: the sources count people covered, never what a service costs (sim/schema.py SERVICE_COSTS)"


def _calibrated(default: float, lo: float, hi: float, doc: str) -> Num:
    """A parameter the calibration estimates; the default is only the search's starting value."""
    return Num(lo, hi, doc, CALIBRATED, default)


def _assumed(default: float, lo: float, hi: float, doc: str, why: str, integer: bool = False) -> Num:
    """A parameter fixed at its default, with no source giving its value: `why` says why."""
    return Num(lo, hi, doc, f"assumed: {why}", default, integer)


BEHAVIOUR = Section(
    {
        # awareness (IOM Tables 14-16)
        "awareness_media_rate": _calibrated(0.0075, 0.0, 0.05, "monthly chance of learning of the programme from media/internet (Tables 15-16: 30% of answers); default: the issue 8 retune's hand-set value"),
        "awareness_centre_rate": _calibrated(0.02, 0.0, 0.1, "extra monthly chance for jobseekers in touch with employment centres (Tables 15-16: 13.8% of answers); default: the issue 8 retune's hand-set value"),
        "awareness_network_weight": _calibrated(0.03, 0.0, 1.0, "monthly hazard per unit share of aware contacts (Tables 15-16: relatives and friends 41.6%); default: the earlier hand-set value"),
        "awareness_mover_weight": _calibrated(0.3, 0.0, 5.0, "monthly hazard per unit share of contacts who already relocated (Table 15: 4.6%); default: the earlier hand-set value"),
        # decision (IOM Tables 17-18)
        "decide_base": _calibrated(-10.15, -16.0, 0.0, "logit intercept of the monthly chance that an aware household starts to consider relocating"),
        "decide_w_unemployed": _assumed(1.0, 0.0, 4.0, "push of unemployment (Table 17: permanent employment 51.6%)", "set by hand, not in any calibration search; Table 17 gives shares of motives, not effect sizes"),
        "decide_w_no_own_housing": _calibrated(0.8, 0.0, 4.0, "push of not owning a home (Table 17: own housing 35.2%; Table 18: 71.8% not owning)"),
        "decide_w_debt": _assumed(0.4, 0.0, 4.0, "push of active bank loans (text after Table 18: 38-40%)", "set by hand, not in any calibration search; the text after Table 18 gives the share with loans (38-40%), not its effect"),
        "decide_w_young": _assumed(0.3, -2.0, 2.0, "shift for heads under 30 (Figure 2: 38% under 30)", "set by hand, not in any calibration search; Figure 2 gives the share under 30, not its effect"),
        "decide_w_subsidy": _calibrated(0.45, 0.0, 6.0, "pull of the package: weight of log(1 + relocation and rent subsidies / a year of the mean wage) (Table 17: State financial support 23.5%)"),
        "decide_w_movers": _calibrated(18.0, 0.0, 200.0, "pull of contacts who already relocated (Table 14: 10.7%; Table 17: 8.0%)"),
        "consult_share": _calibrated(0.3, 0.0, 1.0, "chance that a household told by contacts takes the decision with them rather than alone in the family circle (Table 14: 73.3% alone)"),
        # Table 14 is cut by destination region (independently: North Kazakhstan 83.5%, Kostanay 61.2%); the
        # mode is set once the destination is chosen, so each surveyed region shifts the log-odds of consulting
        **{f"consult_shift_{r}": _calibrated(0.0, -4.0, 4.0, f"shift in the log-odds of consulting others for households bound for {r.replace('_', ' ').title()} (Table 14 by region); 0: the pooled consult_share")
           for r in SURVEYED},
        "decide_drop_rate": _assumed(0.35, 0.0, 0.95, "share of considering households that give up for now (they may consider again later); not identified apart from decide_base", "not identified apart from decide_base (ODD, Notes for maintainers 1), so fixed"),
        # destination choice (IOM Tables 19-20)
        "choice_w_jobs": _assumed(1.0, 0.0, 5.0, "weight of log vacancies in the household's sector (Table 19: employment 46.6%)", "set by hand, not in any calibration search; Table 19 gives shares of criteria, not weights"),
        "choice_w_distance": _calibrated(-1.0, -5.0, 0.0, "weight per 1000 km of distance from origin"),
        "choice_w_network": _assumed(1.5, 0.0, 10.0, "weight of contacts already living in the region (Table 19: recommendations 22.3%)", "set by hand, not in any calibration search; Table 19 gives shares of criteria, not weights"),
        "choice_w_rent": _assumed(1.0, 0.0, 10.0, "weight in the choice of destination of the rent subsidy a region pays above the national rate over its months, in years of the mean wage (only with rent_subsidy.by_region_price = yes)",
                                  "of the order of the decision's pull of the package (decide_w_subsidy); no source measures how a regional rate steers the choice"),
        "choice_w_housing": _assumed(2.0, 0.0, 10.0, "weight of the share of housing provided by the authorities", "set by hand, not in any calibration search; no source"),
        "choice_w_climate": _assumed(-0.3, -3.0, 0.0, "weight of winter severity (Table 19: climate 18.4%)", "set by hand, not in any calibration search; Table 19 gives shares of criteria, not weights"),
        # what the utility above misses about each surveyed destination (its towns, employers' outreach, the
        # commissions' reach); with quotas that need not bind, identified by IOM Table 10's arrivals by region
        **{f"choice_asc_{r}": _calibrated(asc, -4.0, 4.0, f"destination constant of {r.replace('_', ' ').title()} in the destination logit (IOM Table 10 arrivals by region)")
           for r, asc in (("north_kazakhstan", 0.78), ("pavlodar", 0.70), ("kostanay", -0.97), ("east_kazakhstan", -1.5))},
        # Table 15 is cut by destination region (employment centre: North Kazakhstan 2.9%, Pavlodar 32.1%), and the
        # channel is set before the destination is chosen: a region's pull on households told by an employment
        # centre (its centres' recruitment) makes the channel's share differ by destination
        **{f"choice_w_centre_{r}": _calibrated(0.0, -4.0, 4.0, f"extra pull of {r.replace('_', ' ').title()} on households that heard of the programme from an employment centre (Table 15 by region); 0: none")
           for r in SURVEYED},
        # before the 2016 list of destination regions (IOM Table 3: 9.8% resident over five years, East Kazakhstan 18.9%)
        "early_until": Num(2000, 2100, "first year after the early phase of the programme: the shifts below apply before it",
                           "sourced: IOM 2021, policy development: 'In 2016 the government published a list of regions of destination for facilitated (organized) relocation' (Resolution No. 83 of 18 February 2016)",
                           2016, integer=True),
        "early_decide_shift": _calibrated(0.0, -4.0, 6.0, "shift in the logit of starting to consider relocating before `early_until` (the early intake's level, IOM Table 3 over five years); 0: as later"),
        **{f"early_asc_{r}": _calibrated(0.0, -4.0, 4.0, f"shift of {r.replace('_', ' ').title()}'s destination constant before `early_until` (IOM Table 3's residence periods by region); 0: as later")
           for r in SURVEYED},
        "room_rounds": _assumed(3, 1, 5, "choices a household may make in one month when its choice fills up (the first and this many less one more)", "a household whose first choice filled up this month may choose again, twice; no source says how often applicants are redirected", integer=True),
        # application and selection (IOM Tables 21-23)
        "doc_defect_rate": _assumed(0.05, 0.0, 0.5, "chance an eligible application is refused for incomplete or unreliable documents (IOM 2.2.1 matrix)", "set by hand, not in any calibration search; the IOM 2.2.1 matrix names refusals for documents but gives no rate"),
        "waitlist_max_months": Num(0, 36, "months a wait-listed household waits for quota before it gives up",
                                   "assumed: no source gives how long wait-listed households wait", 12, integer=True),
        # housing (IOM Tables 28-29)
        "housing_search_multiplier": _assumed(1.0, 0.1, 3.0, "multiplier of each region's monthly housing-search success (Table 29)", "neutral (1) multiplier of the regional search success derived from Table 29"),
        "certificate_months": _assumed(3, 0, 24, "months from arrival until a holder of an economic mobility certificate has bought a home", "source 001 lists the certificates without a time to purchase (formerly CERTIFICATE_MONTHS in sim/behaviour/housing.py)", integer=True),
        "rental_offer_months": _assumed(3.0, 1.0, 24.0, "months' worth of offers that unlet flats stay on the market", "so that a thinly scaled market is not lumpier than the real one; no source on vacancy durations (formerly inline in sim/behaviour/housing.py)"),
        "temp_accommodation_search_bonus": _assumed(0.5, 0.0, 2.0, "relative gain in housing-search success while in temporary accommodation", "set by hand, not in any calibration search; no source"),
        "rent_market_mci_urban": _assumed(32.0, 5.0, 80.0, "market rent and utilities of a family flat in town, MCI/month (assumption: above the 20-30 MCI subsidy, IOM 3.4.5)", "no market rents in the sources; set above the 20-30 MCI subsidy (IOM 3.4.5)"),
        "rent_market_mci_rural": _assumed(20.0, 3.0, 60.0, "market rent and utilities in a village, MCI/month (assumption: above the 15-21 MCI subsidy, IOM 3.4.5)", "no market rents in the sources; set above the 15-21 MCI subsidy (IOM 3.4.5)"),
        "rural_destination_share": _assumed(0.65, 0.0, 1.0, "share of arrivals placed in villages (IOM 3.5.1: 68.4% of women moved to villages)", "near IOM 3.5.1's 68.4%, a figure for women only, applied to every arrival (ODD Notes 2)"),
        "relocation_subsidy_take_up": _calibrated(0.85, 0.3, 1.0, "share of arrivals who receive the relocation subsidy (Table 35: 78.6% report it)"),
        "rent_subsidy_take_up": _calibrated(0.8, 0.3, 1.0, "share of renting arrivals who claim the rent subsidy (Table 35: 58.5% report it)"),
        # employment (IOM Tables 30-31)
        "job_rate_matched": _calibrated(0.20, 0.0, 1.0, "monthly job-finding rate in one's own sector when vacancies are plentiful"),
        "job_rate_other": _calibrated(0.06, 0.0, 1.0, "monthly job-finding rate outside one's qualification (Table 31: 12.1% not matching)"),
        "job_rate_unqualified_factor": _assumed(0.5, 0.0, 1.0, "job-rate factor for heads without qualification (IOM 3.4.3 NK officials)", "set by hand, not in any calibration search; IOM 3.4.3 reports the difficulty, not a rate"),
        "employer_subsidy_effect": _assumed(0.3, 0.0, 2.0, "relative gain in job finding per 450 MCI of employer subsidy, scaled by take-up", "set by hand, not in any calibration search; no source gives the effect of the employer subsidy"),
        "courses_effect": _assumed(0.2, 0.0, 2.0, "relative gain in job finding for those who took courses (Table 39)", "set by hand, not in any calibration search; Table 39 gives course take-up, not its effect"),
        "skills_assessment_effect": _assumed(0.3, 0.0, 2.0, "relative gain in sector-matched job finding with a skills assessment at selection (rec. 1.4, 6.2)", "set by hand, not in any calibration search; a recommendation (rec. 1.4, 6.2), not a measured effect"),
        "business_rate": _calibrated(0.2, 0.0, 0.5, "monthly chance a jobless head with business intent who found no job starts a business (Table 10 NK: 378 of 3,197; 2024: 111 of 2,435)"),
        "business_intent_first": _calibrated(0.85, 0.0, 1.0, "share of heads with business intent who came to start a business and try it before the job search (Table 17: 12.0% 'start own business' of 26.5%/12.9% with intent, Table 20)"),
        "business_side_rate": _assumed(0.005, 0.0, 1.0, "monthly chance an employed head with business intent starts a side business beside the job", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "business_side_income_mci": _assumed(8.0, 0.0, 60.0, "monthly earnings of a side business, MCI", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "business_grant_effect": _assumed(2.0, 0.0, 10.0, "relative gain in the monthly chance of starting a business with a grant or microcredit (Table 17: 19.8% want support for it)", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "business_exit_rate": _assumed(0.005, 0.0, 0.2, "monthly chance a business closes and the head searches for a job again", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "wage_other_factor": _assumed(0.85, 0.3, 1.5, "pay in a job outside one's qualification relative to the head's wage", "no wages by job match in the sources (formerly WAGE_OTHER in sim/behaviour/employment.py)"),
        "wage_business_factor": _assumed(0.9, 0.1, 3.0, "earnings from a new business relative to the head's wage", "no business earnings in the sources (formerly WAGE_BUSINESS in sim/behaviour/employment.py)"),
        "wage_mci_higher": _assumed(60.0, 10.0, 200.0, "monthly wage of a head with higher education, MCI (assumption)", "no wages by education in the sources"),
        "wage_mci_vocational": _assumed(48.0, 10.0, 200.0, "monthly wage, vocational education, MCI (assumption)", "no wages by education in the sources"),
        "wage_mci_general": _assumed(40.0, 10.0, 200.0, "monthly wage, general secondary, MCI (assumption)", "no wages by education in the sources"),
        "wage_mci_incomplete": _assumed(34.0, 10.0, 200.0, "monthly wage, incomplete secondary, MCI (assumption)", "no wages by education in the sources"),
        "second_earner_share": _assumed(0.35, 0.0, 1.0, "expected second income of a married household, as a share of a general-secondary wage (assumption)", "no source on spouses' earnings"),
        "living_cost_mci_per_person": _assumed(9.0, 1.0, 40.0, "monthly subsistence cost per person, MCI (assumption)", "no subsistence figure in the sources"),
        "stay_cost_share": _assumed(0.6, 0.0, 1.5, "cost of staying with acquaintances or in a hostel relative to market rent", "no source on what households without housing pay (formerly STAY_COST_SHARE in sim/behaviour/finances.py)"),
        "own_housing_cost_share": _assumed(0.3, 0.0, 1.0, "utilities of provided or own housing relative to market rent", "no utility costs in the sources (formerly OWN_HOUSING_COST_SHARE in sim/behaviour/finances.py)"),
        "large_family_rent_factor": _assumed(1.2, 1.0, 3.0, "market rent of a large family (from rent_subsidy.large_family_from persons) relative to a small one's", "no rents by family size in the sources; set below the subsidy's 30/20 = 1.5 ratio (IOM 3.4.5; formerly an inline 1.2 in sim/behaviour/finances.py)"),
        "moving_cost_mci_fixed": _assumed(10.0, 0.0, 100.0, "cash spent on a move regardless of distance, MCI", "no moving costs in the sources (formerly inline in sim/behaviour/moving.py)"),
        "moving_cost_mci_per_100km": _assumed(1.0 / 3.0, 0.0, 5.0, "cash spent on a move per 100 km of road and family member, MCI", "no moving costs in the sources; 1 MCI per 100 km for a family of three (formerly inline in sim/behaviour/moving.py)"),
        "winter_heating_mci": _assumed(8.0, 0.0, 40.0, "extra monthly heating cost in Nov-Mar per unit winter severity, MCI (IOM 3.4.6: stoves, coal)", "IOM 3.4.6 names stove and coal costs but gives no amount"),
        # adaptation (IOM Tables 40-43)
        "adapt_base": _calibrated(-0.9, -5.0, 5.0, "logit intercept of an arrival's adaptation difficulty (Table 40: 45.2% easy)"),
        "adapt_w_settlement_change": _calibrated(0.8, -4.0, 4.0, "difficulty from changing between town and village life, either sign (Table 41 a hold-out: the calibration sees it only through Table 40's level and regions and the returns of the unadapted; default: the earlier hand-set value)"),
        "adapt_w_divorced": _assumed(0.5, -2.0, 3.0, "difficulty for divorced or widowed heads (Table 42)", "set by hand, not in any calibration search; Table 42 (a hold-out) is the evidence it should reproduce"),
        "adapt_w_single": _assumed(-0.4, -3.0, 2.0, "difficulty for single heads (Table 42)", "set by hand, not in any calibration search; Table 42 (a hold-out) is the evidence it should reproduce"),
        "adapt_w_climate": _assumed(0.5, 0.0, 4.0, "difficulty per unit winter severity gap to origin", "set by hand, not in any calibration search; no source"),
        "adapt_w_language": _assumed(3.0, 0.0, 20.0, "difficulty per unit language-barrier index (Table 27: 10.8%; Table 39)", "set by hand, not in any calibration search; Table 27 gives the share naming language, not an effect"),
        "adapt_w_network": _assumed(-1.0, -5.0, 0.0, "difficulty shift when contacts already live in the region (Table 43: no support 27%)", "set by hand, not in any calibration search; Table 43 gives the share without support, not an effect"),
        "adapt_w_services": _assumed(-0.8, -5.0, 0.0, "difficulty shift with orientation or adaptation services (Tables 25-26)", "set by hand, not in any calibration search; Tables 25-26 give coverage, not an effect"),
        "adapt_months": _calibrated(9.0, 1.0, 60.0, "months needed to adapt per unit of adaptation difficulty (the latent logit above 0)"),
        # returns and moves within the north (official returns: 770 of 9,206)
        # returns as competing hazards (issue 9): monthly hazards by reason, scaled by time since arrival
        "return_level": _calibrated(1.0, 0.05, 20.0, "multiplier of every reason's return hazard (the overall level; pooled returns NK + Kostanay 770 of 9,206, IOM executive summary)"),
        "return_h_climate": _calibrated(0.019, 0.0, 0.2, "monthly hazard in a winter month per unit winter-severity gap between destination and origin (IOM 3.4.6: arrivals from the south could not operate heating stoves)"),
        "return_w_stove": _assumed(1.0, 0.0, 5.0, "relative extra climate hazard in a village, where homes are heated by stoves rather than district heating (IOM 3.4.6, rec. 4.3)", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_climate_services": _assumed(0.5, 0.0, 1.0, "share of the climate hazard removed once told of the destination's winters before moving (IOM Table 25, footnote 6), given adaptation services (rec. 4.3: teach heating), or adapted", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_h_unhoused": _calibrated(0.0125, 0.0, 0.2, "monthly hazard while without housing, staying with acquaintances or in a hostel"),
        "return_h_temporary": _assumed(0.004, 0.0, 0.2, "monthly hazard while in a temporary accommodation centre", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_h_poor_housing": _assumed(0.0075, 0.0, 0.2, "monthly hazard while in provided housing unsuitable for living (IOM matrix 2.2.2)", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_h_jobless": _assumed(0.005, 0.0, 0.2, "monthly hazard while the head is jobless 3 months or more after arrival", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_h_money": _calibrated(0.0040, 0.0, 0.2, "monthly hazard while the budget is in deficit after debt service and savings are gone"),
        "return_h_alone": _calibrated(0.0025, 0.0, 0.2, "monthly hazard of a divorced, widowed or single head without contacts in the region (IOM 3.4.4: 'many of them for family reasons')"),
        "return_h_family_home": _assumed(0.0005, 0.0, 0.05, "monthly hazard of family events back home (illness or care of parents), every household", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_h_other": _assumed(0.0005, 0.0, 0.05, "residual monthly hazard (homesickness, unrecorded reasons), doubled while not adapted", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_w_unadapted": _assumed(1.0, 0.0, 5.0, "relative extra residual hazard while not yet adapted (IOM Tables 40-43)", "set by reasoning and a targeted check (issue 9); no source gives it"),
        "return_late_factor": _calibrated(0.15, 0.0, 1.0, "hazard long after arrival relative to the first months: return migration is front-loaded"),
        "return_settle_months": _calibrated(12.0, 1.0, 60.0, "months over which the hazard falls from its first-months level towards the late level"),
        "return_w_repayment": _calibrated(0.1, 0.0, 3.0, "fall in log return hazard per 100 MCI a household expects to repay on return (amount asked back x compliance; IOM 3.4.4)"),
        "move_on_rate": _calibrated(0.002, 0.0, 0.05, "monthly chance an arrival moves on to another destination region (x3 when jobless; rec. 6.2 secondary movement)"),
        "move_on_jobless_factor": _assumed(3.0, 1.0, 10.0, "relative chance of moving on while jobless after the search months", "no source on secondary movement by employment (rec. 6.2 names it; formerly MOVE_ON_JOBLESS_FACTOR in sim/behaviour/returns.py)"),
        "return_jobless_after_months": _assumed(3, 0, 24, "months after arrival from which a jobless head counts as jobless for returns and moves on", "no source on how long arrivals search before giving up (formerly an inline 3 in sim/behaviour/returns.py)", integer=True),
        "return_unhoused_after_months": _assumed(1, 0, 12, "months after arrival from which being without housing, in a centre or in poor housing raises the return hazard (the arrival month is spent moving in or queuing)", "no source (formerly an inline 1 in sim/behaviour/returns.py)", integer=True),
        "repayment_compliance": _assumed(0.6, 0.0, 1.0, "share of subsidies asked back that returners repay (IOM 3.4.4 interview: 'returned the money in full')", "one interview (IOM 3.4.4: 'returned the money in full'); no rate"),
        # the synthetic population (sim/population.py) and the region graph (sim/world.py)
        "general_secondary_qualified": _assumed(0.3, 0.0, 1.0, "share of general-secondary heads with a confirmed qualification or work record (makes them eligible)", "no source gives it"),
        "spouse_qualified": _assumed(0.6, 0.0, 1.0, "chance that a married head's spouse holds a qualification (makes the family eligible)", "no source gives it"),
        "extra_children_mean": _assumed(1.4, 0.0, 5.0, "children of a family with children: 1 + Poisson(this)", "set so that families average about 3.5 persons and children are about half of them (Table 10: 3.66 persons a family; NK 3,224 children of 6,765)"),
        "debt_payment_mci_bank": _assumed(10.0, 0.0, 60.0, "monthly repayment of an active bank loan, MCI", "IOM 3.3.3 gives the share with loans (38-40%), no amounts"),
        "debt_payment_mci_consumer": _assumed(4.0, 0.0, 30.0, "monthly repayment of consumer credit, MCI", "IOM 3.3.3 gives the share with consumer credit, no amounts"),
        "origin_jobless_share": _assumed(0.35, 0.0, 1.0, "share of heads without stable work before departure", "Table 17 gives a motive share (51.6% sought permanent jobs), not an unemployment rate"),
        "centre_contact_share": _assumed(0.5, 0.0, 1.0, "share of jobless heads in touch with an employment centre (the centre awareness channel)", "Table 32 shows contact with centres but gives no rate for the jobless"),
        "origin_wage_factor": _assumed(0.85, 0.3, 1.5, "wages in the southern origin regions relative to the north", "no wage data by region in the sources"),
        "savings_months_max": _assumed(4.0, 0.0, 24.0, "savings are uniform between 0 and this many months of income", "no source on savings"),
        "ties_kin": _assumed(2, 0, 10, "kin ties per household, drawn within the origin region", "Table 14 says decisions involve relatives and friends, not how many", integer=True),
        "ties_friend": _assumed(1, 0, 10, "friend ties per household, drawn within the origin region", "Table 14 says decisions involve relatives and friends, not how many", integer=True),
        "ties_neighbour": _assumed(2, 0, 10, "neighbour ties per household", "no source on neighbourhood contacts", integer=True),
        "neighbour_span": _assumed(49, 1, 1000, "a neighbour is 1 to this many positions further along the origin's households", "no source; a stand-in for spatial proximity", integer=True),
        "road_factor": _assumed(1.25, 1.0, 2.0, "road distance over great-circle distance between regional capitals", "no road distances in the sources"),
        "region_neighbours": _assumed(4, 1, 20, "nearest regions joined in the region graph (routes for distances and moves on)", "a sparse stand-in for the road network", integer=True),
        "winter_severity_c": _assumed(20.0, 5.0, 50.0, "January temperature below 0 C (in C) at which winter severity reaches 1 (0 for a mild January)", "a scale for the catalogue's climate normals; no source"),
    },
    "Behavioural parameters: calibrated, assumed or sourced (see the provenance column); bounds are the prior ranges.",
)


def _dest_map(doc: str, source: str, lo: float = 0.0, hi: float = 1e6, fill: float | None = None) -> RegionMap:
    return RegionMap(Num(lo, hi, doc, source), doc, source, "destination", fill)


SCHEMA = Section(
    {
        "name": Text("short scenario name"),
        "description": Text("what the scenario encodes and what it assumes", ""),
        "extends": Text("name or path of a scenario this one overrides", None, optional=True),
        "starts": Num(1990, 2100, "year from which this scenario's levers apply; earlier years follow the scenario it extends",
                      "run setting", integer=True, default=0),
        "time": Section(
            {
                "start_year": Num(2000, 2100, "first simulated year (January)", "IOM Table 3: some respondents arrived over five years before the survey, so start before 2016", integer=True),
                "end_year": Num(2000, 2100, "last simulated year (December)", "issue 2: to 2024", integer=True),
            }
        ),
        "population": Section(
            {
                "scale": Num(1e-5, 1.0, "fraction of households simulated; totals are scaled up", "run setting", 0.1),
                "mean_household_size": Num(1.0, 10.0, "persons per household, sets households from population", "IOM Tables 10-11"),
            }
        ),
        "mci_tenge": YearSchedule(Num(100, 100000, "tenge per MCI", ""), "monthly calculation index by year", "IOM footnote 8; source 001"),
        "relocation_subsidy": Section(
            {
                "mci_per_member": YearSchedule(Num(0, 1000, "MCI per family member", ""), "one-time relocation subsidy", "IOM 3.4.5"),
            }
        ),
        "rent_subsidy": Section(
            {
                "months": Num(0, 60, "months the rent and utilities subsidy is paid", "IOM 3.4.5", integer=True),
                "urban_mci_small": Num(0, 200, "MCI/month, town, small family", "IOM 3.4.5"),
                "urban_mci_large": Num(0, 200, "MCI/month, town, large family", "IOM 3.4.5"),
                "rural_mci_small": Num(0, 200, "MCI/month, village, small family", "IOM 3.4.5"),
                "rural_mci_large": Num(0, 200, "MCI/month, village, large family", "IOM 3.4.5"),
                "large_family_from": Num(1, 15, "persons from which the large-family rate applies", "assumption", integer=True),
                "by_region_price": Choice(("no", "yes"), "scale subsidy by regional rent level (rec. 4: subsidies by housing costs)", "IOM 3.4.5 officials", "no"),
            }
        ),
        "employer_subsidy": Section(
            {
                "mci_per_hire": YearSchedule(Num(0, 5000, "MCI per hired participant", ""), "employer subsidy", "IOM 3.4.5; source 000"),
                "min_months": YearSchedule(Num(0, 120, "months of employment before the employer may claim", "", integer=True),
                                           "employment a hire must last for the employer subsidy", "IOM 3.4.5: 3 years; source 000: 2 years"),
                "take_up": Num(0, 1, "share of qualifying hires for which employers claim the subsidy", "assumption (IOM matrix 2.1.4: employer support not in regular use)"),
            }
        ),
        "business_support": Section(
            {
                "grant_coverage": YearSchedule(Num(0, 1, "share", ""), "share of arrivals with business intent given a start-up grant or microcredit",
                                               "source 000: 1 grant among 2,435 able-bodied arrivals by 1 July 2024"),
            }
        ),
        "temporary_accommodation": Section(
            {
                "places_per_month": _dest_map("households a region's centres can house per month (10-day stays)", "assumption; IOM Box 1"),
            }
        ),
        "housing": Section(
            {
                "provided_share": _dest_map("share of arrivals housed by the authorities", "IOM Table 29", 0.0, 1.0),
                "purchase_help_share": Num(0, 1, "share of renting arrivals helped to buy or build a home each year", "IOM rec. 4.1"),
                "provided_poor_share": _dest_map("share of housing provided by the authorities that is unsuitable for living", "IOM matrix 2.2.2; assumption by region", 0.0, 1.0),
                "rental_offers_per_month": RegionMap(Num(0, 1e5, "households", ""), "flats a region's rental market offers to arrivals per month, town and village together (the market can run short)", "assumption (IOM 3.4.2, Table 28)", "destination", 1e5),
                "certificate_coverage": YearSchedule(Num(0, 1, "share", ""), "share of arrivals given an economic mobility certificate to buy a home", "source 001 (2024 measure; no count given)"),
            }
        ),
        "quotas": RegionYears(Num(0, 1e6, "persons per year", ""),
                              "annual regional quota in persons: a published plan, or (years before `quota_rule.plan_from`) the arrivals assumed for the year",
                              "IOM Table 10; source 000"),
        "quota_rule": Section(
            {
                "slack": Num(0, 5, "years without a published plan: quota = assumed arrivals x (1 + slack), so that arrivals come out of demand",
                             "assumption (uncertain; swept in scenarios/sweeps/quota_slack.toml): the smallest slack, in steps of 0.25, at which no year of Table 10 (2017-2020) has more than 5% of the choices deferred for want of quota room, so that Table 10 tests demand (docs/ODD.md 8.4)", 0.75),
                "plan_from": Num(1990, 2100, "first year whose `quotas` entries are published plans, used as they are (2024: source 000)",
                                 "source 000", integer=True, default=2024),
                "monthly_release": Choice(("even", "all_in_january"),
                                          "regional commissions include applicants in the quota through the year: by the end of month k at most k/12 of the year's quota (even), or all of it from January",
                                          "IOM 3.3.4 (commissions decide inclusion in the regional quota); assumption: even monthly tranches", "even"),
                "applicants_informed": Choice(("yes", "no"),
                                              "career centres tell applicants, before they choose a region, whether its quota has room (yes): regions whose released quota is taken by approvals and applications already under way are not chosen, and a household finding none defers; or applicants choose blind and queue (no)",
                                              "source 001 (before choosing the region the applicant is told about inclusion in the regional quota)", "yes"),
                "informed_months": Num(0, 12, "months of quota release ahead that the career centre counts as room (with even release)",
                                       "assumption: the quota released by next month, when most applicants have their documents in (IOM Table 22: 70% within a month)",
                                       integer=True, default=1),
            },
            "How quotas bound relocations (issue 8).",
        ),
        "destination_drift": Section(
            {
                "by_year": Choice(("yes", "no"), "move each surveyed region's destination constant by year along the drift of its official share of arrivals between two periods (yes), or keep the 2017-2020 mix every year (no); sim/drift.py",
                                  "IOM Table 10; source 000", "no"),
                "first_persons": _dest_map("persons relocated to the region in the first period", "IOM Table 10 (2017-2020)", 0.0, 1e6, 0.0),
                "first_start": Num(1990, 2100, "first year of the first period; earlier years take its value", "IOM Table 10: since 2017", integer=True, default=2017),
                "first_centre": Num(1990, 2100, "the first period's centre, in years (2019.0 = the middle of 2017-2020)", "IOM Table 10", default=2019.0),
                "second_persons": _dest_map("persons relocated to the region in the second period", "source 000 (by 1 July 2024)", 0.0, 1e6, 0.0),
                "second_centre": Num(1990, 2100, "the second period's centre, in years (2024.25 = the middle of January-June 2024)", "source 000", default=2024.25),
                "hold_after": Num(1990, 2100, "last year whose shift follows the line; later years keep its shift", "source 001: Abay a destination of its own from 2022", integer=True, default=2021),
            },
            "How the destination mix changes by year (issue 19); Table 11's 2020 mix is a hold-out test of it.",
        ),
        "vacancies": Section(
            {
                "index": YearSchedule(Num(0, 100, "multiplier of the Table 9 vacancy stock", ""), "vacancy level by year", "IOM Table 9"),
                "monthly_turnover": Num(0, 10, "share of the registered stock that opens anew each month", "assumption"),
                "land_for_farming": Num(0, 5, "extra agricultural openings as a multiple of Table 9 agriculture vacancies", "IOM rec. 5", 0.0),
                "region_index": RegionMap(Num(0, 100, "multiplier of a region's vacancies", ""), "vacancy level by destination region (default 1)", "IOM Table 9", "destination", 1.0),
                "sector_index": RegionMap(Num(0, 100, "multiplier of a sector's vacancies", ""), "vacancy level by sector (default 1)", "IOM Tables 9, 30", "sector", 1.0),
            }
        ),
        "delays": Section(
            {
                "documents": Probs(tuple(DOCUMENT_BINS), "time to collect documents", "IOM Table 22"),
                "processing": Probs(tuple(PROCESSING_BINS), "time to process an application", "IOM Table 23"),
                "moving": Probs(tuple(MOVING_BINS), "time to move after approval", "IOM 3.4.1"),
                "payment": Probs(tuple(PAYMENT_BINS), "time from arrival to the first subsidy payment (every region with `payment_timing.by_region = \"no\"`; otherwise the regions the survey did not cover)", "IOM Table 37 (ALL REGIONS)"),
            }
        ),
        "payment_timing": Section(
            {
                "by_region": Choice(("yes", "no"),
                                    "first subsidy payment at each surveyed region's own pace, from its row of IOM Table 37 (yes), or at the pace of `delays.payment` everywhere (no)",
                                    "IOM Table 37 by region (e.g. on arrival: North Kazakhstan 44.7%, Kostanay 13.4%)", "yes"),
            },
            "How fast the regional employment centres pay (issue 9).",
        ),
        "services": Section(
            {
                "orientation_coverage": YearSchedule(Num(0, 1, "share", ""), "share receiving orientation before moving", "IOM 3.3.5: 50.8%"),
                "needs_assessment_coverage": YearSchedule(Num(0, 1, "share", ""), "share with a personal needs assessment", "IOM 3.3.5: 43.5%"),
                "adaptation_services_coverage": YearSchedule(Num(0, 1, "share", ""), "share of arrivals covered by adaptation and integration services", "source 001"),
                "courses_coverage": YearSchedule(Num(0, 1, "share", ""), "share of arrivals who take courses", "IOM Table 39: 53.9%"),
                "skills_assessment_coverage": YearSchedule(Num(0, 1, "share", ""), "share assessed for skills at selection", "IOM rec. 1.4"),
                "women_package_coverage": YearSchedule(Num(0, 1, "share", ""), "share of single/divorced women given a special package", "IOM rec. 2.4"),
                **{f"{service}_cost_mci": Num(0, 1000, f"programme cost per household given {what}, MCI", SERVICE_COST_SOURCE, cost)
                   for service, what, cost in SERVICE_COSTS},
                "orientation_by_region": Choice(("yes", "no"),
                                                "orientation at each surveyed region's own reach and content, from its row of IOM Table 25, around the year's national coverage (yes), or at the national coverage and pooled content everywhere (no)",
                                                "IOM 3.3.5 and Table 25 (oriented: Kostanay 38.8%, North Kazakhstan 49.4%)", "yes"),
            }
        ),
        "information_campaign": Section(
            {
                "media_extra": YearSchedule(Num(0, 20, "multiple of the media and internet rate", ""),
                                            "the campaign's extra media and internet reach: in reached origin households the monthly rate of hearing by media (`awareness_media_rate`) is multiplied by 1 + this (0: no campaign)",
                                            "IOM rec. 2.1: funds for wide dissemination in mass media, social networks and outdoor advertising in the South"),
                "centre_extra": YearSchedule(Num(0, 20, "multiple of the employment-centre rate", ""),
                                             "employment centres' outreach in the origins: in reached households in touch with a centre the rate of hearing there (`awareness_centre_rate`) is multiplied by 1 + this",
                                             "IOM rec. 1.2: the regions of origin's task of informing the population"),
                "origin_coverage": RegionMap(Num(0, 1, "share of the origin region's households the campaign reaches", ""),
                                             "share of each origin region's households the campaign reaches (default 1: every origin)",
                                             "IOM rec. 2.1 (the labour-surplus regions of the South)", "origin", 1.0),
                "decide_shift": Num(-2, 2, "shift of the decision logit of aware households the campaign reaches, in the years it runs",
                                    "assumption: what the campaign says of the terms and of settled families makes the decision a little easier; no source measures it, so it is small and swept (docs/elasticities.md)", 0.1),
                "media_cost_mci": Num(0, 100, "cost of one unit of media_extra per reached household and year, MCI",
                                      "assumption: the sources give no campaign budget; about 200 tenge of advertising per household a year", 0.05),
                "centre_cost_mci": Num(0, 100, "cost of one unit of centre_extra per reached household in touch with an employment centre and year, MCI",
                                       "assumption: the sources give no campaign budget; outreach staff time, about ten times the media cost per household", 0.5),
            },
            "An information campaign in the regions of origin (issue 20): the awareness channels of Tables 15-16 and the decision, with its cost.",
        ),
        "repayment": Section(
            {
                "rule": Choice(tuple(REPAYMENT_RULES), "what a returner within the contract is asked to repay", "IOM 3.4.4"),
                "contract_months": Num(0, 240, "length of the social contract", "IOM 3.4.4: 5 years", integer=True),
            }
        ),
        "behaviour": BEHAVIOUR,
    }
)
