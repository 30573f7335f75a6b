"""Calibration of behavioural parameters to 2015-2020 history, and its validation report."""
