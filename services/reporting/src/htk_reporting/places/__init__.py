"""Places: a page's worth of figures for every municipality, wellbeing services county and the
whole country, per inhabitant, and the map of them."""
