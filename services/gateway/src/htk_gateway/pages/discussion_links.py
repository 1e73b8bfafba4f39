"""Where each kind of discussion lives on the site (pages and notification links)."""

PAGES = {
    "action": "/actions/{ref}",
    "sub_goal": "/plan/{ref}/discussion",
    "measure": "/plan/{ref}/discussion",
    "topic": "/topics/{ref}",
}


def subject_page(kind: str, ref: str) -> str:
    return PAGES[kind].format(ref=ref)
