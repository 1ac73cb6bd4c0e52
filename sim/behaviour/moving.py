"""Moving and arrival (IOM 3.4.1, Box 1, Tables 29 and 37).

On arrival a household is placed in a town or a village, learns when its subsidies will be paid
(IOM Table 37), moves into housing prepared by the authorities or arranged beforehand (IOM Table 29)
or queues for a temporary accommodation centre, and starts adapting with a difficulty set by the
change of settlement type, family status, climate, language, contacts and the services it had
(IOM Tables 40-43). Its contacts back home now know someone who relocated.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.awareness import add_contacts
from sim.behaviour.common import timer_done
from sim.behaviour.decision import contacts_by_destination
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import Housing, HousingRoute, Marital, State, TempStatus

RURAL_PLACE = declare("rural_place", "arrival", 0, "placed in a village rather than a town", __name__)
PAYMENT_DELAY = declare("payment_delay", "payment", 0, "months from arrival to the first subsidy payment", __name__, rounds=2)
SUBSIDY_CLAIMS = declare("subsidy_claims", "payment", 2, "claims the relocation subsidy (and, the other way round, the rent subsidy)", __name__)
HOUSING_ON_ARRIVAL = declare("housing_on_arrival", "housing", 0, "housing provided, arranged beforehand or none", __name__)
PROVIDED_POOR = declare("provided_poor", "housing", 3, "provided housing unsuitable for living", __name__)
CERTIFICATE = declare("certificate", "housing", 4, "holds an economic mobility certificate", __name__)
ORIENTED = declare("oriented", "services", 0, "given orientation on the destination", __name__)
NEEDS_ASSESSMENT = declare("needs_assessment", "services", 1, "had a needs assessment", __name__)
ADAPTATION_SERVICES = declare("adaptation_services", "services", 2, "given adaptation services", __name__)
WOMEN_PACKAGE = declare("women_package", "services", 3, "a woman heading a family given the women's package", __name__)
COURSES = declare("courses", "services", 4, "took training courses", __name__)
SKILLS_ASSESSED = declare("skills_assessed", "services", 5, "had a skills assessment", __name__)
BUSINESS_GRANT = declare("business_grant", "services", 6, "given a start-up grant or microcredit", __name__)
TOLD_OF_WINTERS = declare("told_of_winters", "services", 7, "an oriented household told what winters to expect", __name__)
ADAPTATION_NEED = declare("adaptation_need", "adaptation", 0, "how hard adapting will be (the latent difficulty)", __name__)


def moving(m: ModelView) -> None:
    done = timer_done(m, m.active_idx(State.MOVING))
    if len(done):
        arrive(m, done)


def arrive(m: ModelView, who: np.ndarray) -> None:
    s, mo, hh, prog, w, b = m.streams, m.month, m.hh, m.prog, m.world, m.b
    y = m.year_index
    d = m.dest[who].astype(np.int64)
    m.state[who] = State.ARRIVED
    m.arrival_month[who] = mo
    m.first_dest[who] = d
    m.rural_dest[who] = s.draw(RURAL_PLACE, mo, who) < b.rural_destination_share
    delay, m.pay_bin[who] = prog.draw_payment_delay(w, d, *s.all_rounds(PAYMENT_DELAY, mo, who))
    m.pay_month[who] = mo + delay
    # One draw for both claims, used in opposite directions: a family that misses the relocation
    # subsidy is the likeliest to claim the rent subsidy (IOM Table 35: 78.6% and 58.5% received them,
    # only 5.1% neither), as when support reaches every family in one form or another.
    u_claim = s.draw(SUBSIDY_CLAIMS, mo, who)
    claims = u_claim < b.relocation_subsidy_take_up
    m.reloc_due[who] = np.where(claims, prog.reloc_mci[y] * hh.size[who], 0.0)  # MCI; converted when paid
    m.claims_rent[who] = (1.0 - u_claim) < b.rent_subsidy_take_up
    # housing on arrival
    u = s.draw(HOUSING_ON_ARRIVAL, mo, who)
    provided = u < prog.provided_share[d]
    prearranged = ~provided & (u < prog.provided_share[d] + w.housing_prearranged[d])
    m.housing_status[who] = np.where(provided, Housing.PROVIDED, np.where(prearranged, Housing.RENTED, Housing.NONE))
    m.temp_status[who[m.housing_status[who] == Housing.NONE]] = TempStatus.QUEUED
    m.housing_route[who] = np.where(provided, HousingRoute.PROVIDED, np.where(prearranged, HousingRoute.PREARRANGED, HousingRoute.SEARCHED))
    m.housed_month[who[m.housing_status[who] != Housing.NONE]] = mo
    m.poor_housing[who] = provided & (s.draw(PROVIDED_POOR, mo, who) < prog.provided_poor[d])  # IOM matrix 2.2.2
    m.certificate[who] = s.draw(CERTIFICATE, mo, who) < prog.certificate[y]  # economic mobility certificate (source 001)
    m.business_grant[who] = hh.business_intent[who] & (s.draw(BUSINESS_GRANT, mo, who) < prog.business_grant[y])
    # services received
    p_oriented, p_told = prog.orientation_chances(w, y, d)
    oriented = s.draw(ORIENTED, mo, who) < p_oriented
    adaptation_services = s.draw(ADAPTATION_SERVICES, mo, who) < prog.adaptation_services[y]
    women_pkg = hh.female[who] & (hh.marital[who] != Marital.MARRIED) & (s.draw(WOMEN_PACKAGE, mo, who) < prog.women_package[y])
    needs_assessed = s.draw(NEEDS_ASSESSMENT, mo, who) < prog.needs_assessment[y]
    m.supported[who] = oriented | needs_assessed | adaptation_services | women_pkg
    # told what winters to expect before moving (IOM Table 25, footnote 6), or taught to heat a home by
    # adaptation services on arrival (rec. 4.3): what eases the climate hazard
    m.briefed[who] = (oriented & (s.draw(TOLD_OF_WINTERS, mo, who) < p_told)) | adaptation_services
    m.took_courses[who] = s.draw(COURSES, mo, who) < prog.courses[y]
    m.skills_assessed[who] = s.draw(SKILLS_ASSESSED, mo, who) < prog.skills_assessment[y]
    given = {"orientation": oriented, "needs_assessment": needs_assessed, "adaptation_services": adaptation_services,
             "courses": m.took_courses[who], "skills_assessment": m.skills_assessed[who], "women_package": women_pkg}
    services = sum(prog.service_cost_mci[service] * got for service, got in given.items()) * m.mci
    m.services_cost[who] = services
    m.record.services_cost[mo] += float(np.sum(services))
    # adaptation difficulty (months needed; 0 = easy, no issues)
    contacts = contacts_by_destination(m, who)[np.arange(len(who)), d] > 0
    change = hh.rural_origin[who] != m.rural_dest[who]
    marital = hh.marital[who]
    z = (b.adapt_base + b.adapt_w_settlement_change * change
         + b.adapt_w_divorced * (marital >= Marital.DIVORCED) + b.adapt_w_single * (marital == Marital.SINGLE)
         + b.adapt_w_climate * np.maximum(w.winter_severity[d] - w.origin_winter_severity[hh.origin[who]], 0)
         + b.adapt_w_language * w.language_barrier[d] + b.adapt_w_network * contacts
         + b.adapt_w_services * m.supported[who])
    ua = np.clip(s.draw(ADAPTATION_NEED, mo, who), 1e-9, 1 - 1e-9)
    latent = z + np.log(ua / (1 - ua))
    m.adapt_needed[who] = np.where(latent < 0, 0.0, b.adapt_months * latent)
    m.has_contacts[who] = contacts
    # money brought: savings less the cost of the move (assumed: a fixed part and a part per 100 km and member)
    km = w.origin_dest_km[hh.origin[who], d]
    cost = b.moving_cost_mci_fixed + km / 100.0 * b.moving_cost_mci_per_100km * hh.size[who]
    m.cash[who] = (hh.savings_mci[who] - cost) * m.mci
    persons = hh.size[who]
    r = m.record
    r.arrivals_hh[mo] += len(who)
    r.arrivals_persons[mo] += int(persons.sum())
    np.add.at(r.arrivals_persons_dest[mo], d, persons)
    np.add.at(r.flows_persons[y], (hh.origin[who].astype(np.int64), d), persons)
    add_contacts(m, who, m.mover_contacts, +1)
