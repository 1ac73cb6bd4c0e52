"""The synthetic population and its social network: the fast set-up keeps the plain one's numbers,
and the network's CSR arrays keep the invariants the phases rely on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import scenario
from sim.params import Behaviour
from sim.population import (
    CATEGORY_BINS, EDUCATION_SHARE, HOUSING_BEFORE_SHARE, MARITAL_MEN, MARITAL_WOMEN, RURAL_SETTLEMENTS,
    SETTLEMENT_SHARE_CITY, SETTLEMENT_SHARE_MIXED, BUSINESS_INTENT, BANK_LOAN_SHARE, CHILDREN_SHARE,
    CONSUMER_CREDIT_SHARE, FEMALE_SHARE, INACTIVE_WOMEN, UNDER_30_SHARE, Households, SocialNetwork,
    category, choice_cdf, households_by_origin,
)
from sim.regions import ORIGINS, SECTORS, catalogue
from sim.states import HOUSEHOLD_ATTRIBUTES, Education, HousingBefore, Marital

BEHAVIOUR = Behaviour.from_dict(scenario.load("baseline").behaviour)
WAGE = np.array([BEHAVIOUR.wage_mci_higher, BEHAVIOUR.wage_mci_vocational, BEHAVIOUR.wage_mci_general,
                 BEHAVIOUR.wage_mci_incomplete], np.float32)


# --------------------------------------------------------------------------- plain reference versions

def plain_households(n_by_origin, rng, wage_mci, b):
    """The population drawn the plain way (rng.choice, searchsorted, float64 temporaries)."""
    n = int(n_by_origin.sum())
    a = {}
    a["origin"] = np.repeat(np.arange(len(ORIGINS), dtype=np.int8), n_by_origin)
    in_city = np.array([catalogue()["origin"][o]["settlement"] == "city" for o in ORIGINS])[a["origin"]]
    u = rng.random(n)
    s = np.where(in_city, np.searchsorted(np.cumsum(SETTLEMENT_SHARE_CITY), u, side="right"),
                 np.searchsorted(np.cumsum(SETTLEMENT_SHARE_MIXED), u, side="right")).astype(np.int8)
    a["settlement"] = np.minimum(s, 5)
    a["rural_origin"] = np.isin(a["settlement"], RURAL_SETTLEMENTS)
    a["female"] = rng.random(n) < FEMALE_SHARE
    a["young"] = rng.random(n) < UNDER_30_SHARE
    a["age"] = np.where(a["young"], rng.integers(20, 30, n), rng.integers(30, 60, n)).astype(np.int8)
    a["education"] = rng.choice(4, size=n, p=EDUCATION_SHARE / EDUCATION_SHARE.sum()).astype(np.int8)
    edu = a["education"]
    a["qualified"] = (edu <= Education.VOCATIONAL) | ((edu == Education.GENERAL_SECONDARY) & (rng.random(n) < b.general_secondary_qualified))
    u = rng.random(n)
    cm, cw = np.cumsum(MARITAL_MEN), np.cumsum(MARITAL_WOMEN)
    a["marital"] = np.where(a["female"], np.searchsorted(cw, u * cw[-1], side="right"),
                            np.searchsorted(cm, u * cm[-1], side="right")).astype(np.int8)
    married = a["marital"] == Marital.MARRIED
    a["spouse_qualified"] = married & (rng.random(n) < b.spouse_qualified)
    sm, sw = (np.array(catalogue()["sectors"][f"employment_share_{x}"]) for x in ("men", "women"))
    u = rng.random(n)
    a["sector"] = np.minimum(np.where(a["female"], np.searchsorted(np.cumsum(sw) / sw.sum(), u, side="right"),
                                      np.searchsorted(np.cumsum(sm) / sm.sum(), u, side="right")).astype(np.int8), len(SECTORS) - 1)
    has_children = rng.random(n) < CHILDREN_SHARE
    a["size"] = (1 + married + np.where(has_children, 1 + rng.poisson(b.extra_children_mean, n), 0)).astype(np.int16)
    a["housing_before"] = rng.choice(7, size=n, p=HOUSING_BEFORE_SHARE / HOUSING_BEFORE_SHARE.sum()).astype(np.int8)
    a["own_home"] = a["housing_before"] == HousingBefore.OWN
    a["bank_loan"] = rng.random(n) < BANK_LOAN_SHARE
    a["consumer_credit"] = rng.random(n) < CONSUMER_CREDIT_SHARE
    a["debt_mci"] = (b.debt_payment_mci_bank * a["bank_loan"] + b.debt_payment_mci_consumer * a["consumer_credit"]).astype(np.float32)
    a["jobless"] = rng.random(n) < b.origin_jobless_share
    a["centre_contact"] = a["jobless"] & (rng.random(n) < b.centre_contact_share)
    wage = wage_mci[edu]
    a["income_mci"] = (np.where(a["jobless"], 0.0, wage * b.origin_wage_factor)
                       + married * b.second_earner_share * wage_mci[Education.GENERAL_SECONDARY]).astype(np.float32)
    a["savings_mci"] = (rng.random(n) * b.savings_months_max * np.maximum(a["income_mci"], 10.0)).astype(np.float32)
    a["business_intent"] = rng.random(n) < np.where(a["female"], BUSINESS_INTENT[1], BUSINESS_INTENT[0])
    a["eligible"] = a["qualified"] | a["spouse_qualified"]
    a["inactive"] = a["female"] & (rng.random(n) < INACTIVE_WOMEN)
    return a


def plain_ties(origin, rng, b):
    """(row, other end, kind) of every tie in both directions, drawn the plain way."""
    n = len(origin)
    starts = np.searchsorted(origin, np.arange(len(ORIGINS)))
    ends = np.searchsorted(origin, np.arange(len(ORIGINS)), side="right")
    block_start, block_len = starts[origin], (ends - starts)[origin]
    ids = np.arange(n)
    src, dst, kind = [ids[:0]], [ids[:0]], [np.zeros(0, np.int8)]
    for k, ties in ((0, b.ties_kin), (1, b.ties_friend)):
        for _ in range(ties):
            src.append(ids), dst.append(block_start + (rng.random(n) * block_len).astype(np.int64)), kind.append(np.full(n, k, np.int8))
    for _ in range(b.ties_neighbour):
        off = rng.integers(1, b.neighbour_span + 1, n)
        src.append(ids), dst.append(block_start + (ids - block_start + off) % block_len), kind.append(np.full(n, 2, np.int8))
    s, d, k = np.concatenate(src), np.concatenate(dst), np.concatenate(kind)
    keep = s != d
    s, d, k = s[keep], d[keep], k[keep]
    return np.concatenate([s, d]), np.concatenate([d, s]), np.concatenate([k, k])


def csr_ties(net):
    rows = np.repeat(np.arange(net.n), np.diff(net.indptr))
    return rows, net.indices.astype(np.int64), net.kind


def canonical(rows, cols, kinds):
    """The ties as a sorted multiset (order within a row does not matter)."""
    key = (rows.astype(np.int64) * (int(cols.max(initial=0)) + 1) + cols) * 4 + kinds
    return np.sort(key)


def behaviour(**changes):
    return dataclasses.replace(BEHAVIOUR, **changes)


SETUPS = [  # (scale, behaviour changes)
    (0.01, {}),
    (2e-5, {}),  # blocks of 4 to 11 households: many self-ties, neighbours wrap round the block
    (1e-6, {}),  # one household per origin: every tie is a self-tie
    (0.002, {"ties_kin": 10, "ties_friend": 10, "ties_neighbour": 10, "neighbour_span": 1000}),
    (0.002, {"ties_kin": 0, "ties_friend": 0, "ties_neighbour": 3, "neighbour_span": 1}),
    (0.002, {"ties_kin": 1, "ties_friend": 0, "ties_neighbour": 0, "extra_children_mean": 5.0, "origin_jobless_share": 1.0}),
    (0.002, {"ties_kin": 0, "ties_friend": 0, "ties_neighbour": 0, "extra_children_mean": 0.0, "spouse_qualified": 1.0}),
]


def build(scale, changes, seed=3):
    b = behaviour(**changes)
    rng = np.random.default_rng(seed)
    hh = Households(households_by_origin(scale, 3.66), rng, WAGE, b)
    return hh, SocialNetwork(hh, np.random.default_rng(seed + 1), b), b


# --------------------------------------------------------------------------- the categorical draw

def test_category_is_searchsorted_exactly():
    rng = np.random.default_rng(0)
    cdfs = np.stack([np.cumsum(SETTLEMENT_SHARE_MIXED), np.cumsum(SETTLEMENT_SHARE_CITY)])
    edges = np.arange(CATEGORY_BINS + 1) / CATEGORY_BINS
    # uniforms, the thresholds themselves and their neighbours, the bins' edges, and values at and past 1
    u = np.concatenate([rng.random(200_000), cdfs.ravel(), np.nextafter(cdfs.ravel(), 0), np.nextafter(cdfs.ravel(), 2),
                        edges, np.nextafter(edges[1:], 0), [0.0, 1.0, 1.5, np.nextafter(1.0, 0)]])
    group = rng.random(len(u)) < 0.5
    want = np.where(group, np.searchsorted(cdfs[1], u, side="right"), np.searchsorted(cdfs[0], u, side="right"))
    got = category(u.copy(), cdfs, group)
    assert got.dtype == np.int8 and np.array_equal(got, want)
    assert np.array_equal(category(u.copy(), cdfs[0]), np.searchsorted(cdfs[0], u, side="right"))


@pytest.mark.parametrize("p", [EDUCATION_SHARE, HOUSING_BEFORE_SHARE, np.array([0.5, 0.0, 0.25, 0.25])])
def test_category_draws_what_choice_draws(p):
    p = p / p.sum()
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    want = a.choice(len(p), size=50_000, p=p)
    assert np.array_equal(category(b.random(50_000), choice_cdf(p)), want)
    assert a.random() == b.random()  # one uniform per element, as choice takes


# --------------------------------------------------------------------------- households

@pytest.mark.parametrize("scale,changes", SETUPS)
def test_households_are_the_plain_draws(scale, changes):
    b = behaviour(**changes)
    nbo = households_by_origin(scale, 3.66)
    fast, plain = np.random.default_rng(9), np.random.default_rng(9)
    hh, want = Households(nbo, fast, WAGE, b), plain_households(nbo, plain, WAGE, b)
    for attr in HOUSEHOLD_ATTRIBUTES:
        got = getattr(hh, attr.name)
        assert got.dtype == attr.dtype and got.dtype == want[attr.name].dtype, attr.name
        assert np.array_equal(got, want[attr.name]), attr.name
    assert fast.random() == plain.random()  # the same numbers taken from the stream, no more


def test_marital_shares_that_do_not_sum_to_one_scale_the_draw(monkeypatch):
    import sim.population as population
    women = np.array([0.151, 0.638, 0.193, 0.019])  # sums to 1.001: the uniform is scaled by 1.001
    assert np.cumsum(women)[-1] != 1.0
    monkeypatch.setattr(population, "MARITAL_WOMEN", women)
    monkeypatch.setitem(globals(), "MARITAL_WOMEN", women)
    nbo = households_by_origin(0.002, 3.66)
    hh = Households(nbo, np.random.default_rng(2), WAGE, BEHAVIOUR)
    assert np.array_equal(hh.marital, plain_households(nbo, np.random.default_rng(2), WAGE, BEHAVIOUR)["marital"])


# --------------------------------------------------------------------------- the network

@pytest.mark.parametrize("scale,changes", SETUPS)
def test_network_csr_invariants(scale, changes):
    hh, net, b = build(scale, changes)
    n, ip = hh.n, net.indptr
    assert net.n == n and len(ip) == n + 1 and ip[0] == 0
    assert ip.dtype == np.int32 and net.indices.dtype == np.int32 and net.kind.dtype == np.int8
    assert np.all(np.diff(ip) >= 0) and ip[-1] == len(net.indices) == len(net.kind)
    assert net.degree.dtype == np.float32 and np.array_equal(net.degree, np.diff(ip))
    rows, cols, kinds = csr_ties(net)
    assert np.all((cols >= 0) & (cols < n)) and np.all(np.isin(kinds, (0, 1, 2)))
    assert not np.any(rows == cols)  # no self-ties
    assert np.array_equal(hh.origin[rows], hh.origin[cols])  # ties stay within the origin region
    # every tie is stored in both directions, with the same kind (as many times each way)
    assert np.array_equal(canonical(rows, cols, kinds), canonical(cols, rows, kinds))
    # each household drew one tie a round: 2 x (rounds x n - self-ties) entries, per kind
    for k, ties in enumerate((b.ties_kin, b.ties_friend, b.ties_neighbour)):
        assert np.count_nonzero(kinds == k) <= 2 * ties * n and np.count_nonzero(kinds == k) % 2 == 0
    # a neighbour is 1 to neighbour_span positions along the block, one way or the other
    nb = kinds == 2
    counts = np.bincount(hh.origin, minlength=len(ORIGINS))
    size = counts[hh.origin[rows[nb]]]
    ahead = (cols[nb] - rows[nb]) % size
    assert np.all(((ahead >= 1) & (ahead <= b.neighbour_span)) | ((size - ahead >= 1) & (size - ahead <= b.neighbour_span)))


@pytest.mark.parametrize("scale,changes", SETUPS)
def test_network_holds_the_plain_ties(scale, changes):
    hh, net, b = build(scale, changes)
    rng = np.random.default_rng(4)  # the network's stream in build()
    want = plain_ties(hh.origin, rng, b)
    assert np.array_equal(canonical(*csr_ties(net)), canonical(*want))
    assert np.array_equal(np.diff(net.indptr), np.bincount(want[0], minlength=hh.n))


def test_network_lookups_agree_with_the_arrays():
    hh, net, _ = build(0.002, {})
    who = np.random.default_rng(1).choice(hh.n, 300, replace=False)
    owner, nb = net.neighbours(who)
    for i, h in enumerate(who[:50]):
        assert sorted(nb[owner == i]) == sorted(net.indices[net.indptr[h]:net.indptr[h + 1]])
    assert np.array_equal(np.bincount(owner, minlength=len(who)), net.degree[who])
    g = net.to_networkx()
    assert g.number_of_edges() == len(net.indices) // 2
