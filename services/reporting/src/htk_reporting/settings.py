from datetime import date
from pathlib import Path

from htk_runtime.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    port: int = 8004
    mongo_database: str = "htk_reporting"
    # Reference data: <dir>/geography/municipalities.csv gives each municipality's county.
    reporting_data_dir: Path = Path("data")
    # Map boundaries (GeoJSON: municipalities*.geojson, wellbeing_counties*.geojson), read at run
    # time and never committed; unset or empty: the map draws dots at the centroids instead.
    # `htk places boundaries fetch` stores the official files under var/geodata.
    reporting_boundaries_dir: Path | None = None
    # TrueType fonts (DejaVuSans*.ttf, Debian's fonts-dejavu-core) embedded in the yearly PDF.
    reporting_font_dir: Path = Path("/usr/share/fonts/truetype/dejavu")
    reporting_licence: str = "CC BY 4.0"
    reporting_licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    # The first day figures can be asked for at (/coverage/at): the plan's start. The wellbeing
    # services counties the plan reports by began on 2023-01-01.
    reporting_plan_start: date = date(2023, 1, 1)
