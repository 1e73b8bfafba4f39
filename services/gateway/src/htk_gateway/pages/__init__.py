"""Server-rendered pages, one module per area of the site (public, member, organisations,
actions, account, coordinator, dashboard, places, plan, join). Routes are HTTP only: they
read the services through ``htk_gateway.web.render`` and render templates; the rules stay in the
services."""
