"""Catalogue: the plan, organisations, members and geography."""
