"""Events for members (webinars, workshops, network days) that coordinators and organisations
announce: an upcoming list filtered by kind of organisation, county and sub-goal, and each event
and the whole list as iCalendar."""
