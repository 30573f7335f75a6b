"""Errors raised while simulating a year."""


class PlanningError(RuntimeError):
    """A city's LP could not be solved (an input inconsistency, named in the message)."""
