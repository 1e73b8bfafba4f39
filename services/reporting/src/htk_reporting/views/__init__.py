"""Figures and tables read from the aggregates for the API, and frozen snapshots."""
