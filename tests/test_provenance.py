"""Every behavioural parameter says where its value comes from (issue 10, item 6)."""
from calibration.calibrate import FREE
from sim.schema import BEHAVIOUR, PROVENANCE


def test_every_behavioural_parameter_has_a_provenance_and_a_reason():
    for name, spec in BEHAVIOUR.fields.items():
        label, _, why = spec.source.partition(": ")
        assert label in PROVENANCE, (name, spec.source)
        assert len(why) > 10, (name, "the source must say which search, why assumed, or which table")


def test_calibrated_means_free_in_the_search():
    calibrated = {n for n, s in BEHAVIOUR.fields.items() if s.source.startswith("calibrated")}
    assert calibrated == set(FREE) - {"survey_recency"}
