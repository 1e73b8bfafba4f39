from htk_runtime.settings import ServiceSettings


class CommunitySettings(ServiceSettings):
    service_name: str = "community"
    port: int = 8005
    mongo_database: str = "htk_community"

    # Discussion: an author may change their message for this long after posting it (later
    # edits would change what replies answered).
    discussion_edit_minutes: int = 15
    # Longest message in characters (Markdown source), and how many messages one member may
    # post per hour: a flood from one account stays small.
    discussion_max_chars: int = 5000
    discussion_posts_per_hour: int = 30

    # The gateway's public address: the Atom feeds and iCalendar files link to its pages, and
    # an event's calendar UID is its id at this host.
    public_url: str = "http://127.0.0.1:8000"
