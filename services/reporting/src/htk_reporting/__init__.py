"""Reporting: live coverage of the plan, by place and over time."""
