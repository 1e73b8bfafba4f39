from pathlib import Path

from htk_runtime.mail import MailSettings
from htk_runtime.settings import ServiceSettings


class SubmissionsSettings(ServiceSettings, MailSettings):
    service_name: str = "submissions"
    port: int = 8002
    mongo_database: str = "htk_submissions"

    # When false, submitting publishes at once; by default a coordinator reviews first.
    review_required: bool = True
    # Geography reference data used to validate place codes.
    submissions_data_dir: Path = Path("data")
    # Bulk imports of spreadsheets may be larger than ordinary requests.
    max_import_bytes: int = 10_000_000
    # The search service, asked for likely duplicates while a member drafts.
    search_url: str = "http://127.0.0.1:8003"

    # Reminders to confirm or update ageing actions (htk_runtime.freshness): at most one per
    # action per period.
    reminder_period_days: int = 30
    reminder_interval_seconds: float = 3600.0
    # Links in reminders point at the gateway; the secret signs one-click confirmation links.
    public_url: str = "http://127.0.0.1:8000"
    reminder_link_secret: str = ""

    def production_problems(self) -> list[str]:
        problems = [*super().production_problems(), *self.mail_problems()]
        if not self.reminder_link_secret:
            problems.append(
                "HTK_REMINDER_LINK_SECRET is empty: a generated one breaks every link sent "
                "before a restart"
            )
        return problems
