"""Keeping the figures: the projection of events, recount from the log, rebuild, verify, the
pipeline, the live stream and the figures at past dates."""
