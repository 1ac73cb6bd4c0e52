"""Regression baseline of the fit (issue 10, item 7): the shipped ensemble's small-budget fit summary
must not worsen beyond the tolerances kept with it in calibration/regression_baseline.json."""
import pytest

from calibration.regression import DIRECTION, fit_summary, load_baseline, regressions

BASE = load_baseline()


@pytest.fixture(scope="module")
def current():
    return fit_summary(**BASE["budget"])


def test_fit_does_not_regress(current):
    assert set(current) == set(DIRECTION)
    assert regressions(current, BASE) == []


def test_tolerances_are_narrow_enough_to_catch_a_broken_mechanism():
    """A plausible mistake (adaptation made much harder: adapt_base 3, the top of its search range)
    fails the check; the tolerance is not so wide that anything passes."""
    broken = fit_summary(**BASE["budget"], overrides=["behaviour.adapt_base=3"])
    assert regressions(broken, BASE)
