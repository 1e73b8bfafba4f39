"""Good practices: an organisation shares its experience of a published action (what worked,
what did not, for whom) as a structured post linked to the action; coordinators highlight an
action as a good practice. Lists for the action's page, the good-practices page and the front
page."""
