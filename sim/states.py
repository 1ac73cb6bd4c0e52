"""Household states of the programme, one int8 per household; every household is in exactly one."""

from enum import IntEnum


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
