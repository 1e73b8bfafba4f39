"""The places and indicators under /api/v1, forwarded to reporting (which owns them): the
same figures the place pages and the map show (JSON, or CSV/XLSX with ``format``)."""

from fastapi import APIRouter, Request, Response

from htk_gateway.api import schemas as s
from htk_gateway.api.contract import relayed
from htk_gateway.api.routes import API_WRITE, _to

api_router = APIRouter(prefix="/api/v1/places", tags=["places"])
# Every place answer is JSON, or a spreadsheet with ``format=csv`` or ``xlsx``.
_AS_FILE = s.file_answer(*s.SPREADSHEET, description="The figures as JSON, CSV or XLSX")


@api_router.get("", **relayed("reporting", "/places", model=s.PlaceIndex))
async def api_places(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places", write=False)


@api_router.get("/map", **relayed("reporting", "/places/map", model=s.PlaceMap, files=_AS_FILE))
async def api_map(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places/map", write=False)


@api_router.get(
    "/finland",
    **relayed("reporting", "/places/finland", model=s.PlaceFigures, files=_AS_FILE),
)
async def api_finland(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places/finland", write=False)


@api_router.get(
    "/county/{code}",
    **relayed(
        "reporting",
        "/places/county/{code}",
        model=s.PlaceFigures,
        errors=(404,),
        files=_AS_FILE,
    ),
)
async def api_county(code: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/places/county/{code}", write=False)


@api_router.get(
    "/municipality/{code}",
    **relayed(
        "reporting",
        "/places/municipality/{code}",
        model=s.PlaceFigures,
        errors=(404,),
        files=_AS_FILE,
    ),
)
async def api_municipality(code: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/places/municipality/{code}", write=False)


# -- indicators: need next to activity --------------------------------------------------------


indicators_api_router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])


@indicators_api_router.get("", **relayed("reporting", "/indicators", model=s.Indicators))
async def api_indicators(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/indicators", write=False)


@indicators_api_router.get(
    "/need", **relayed("reporting", "/indicators/need", model=s.NeedFigures, errors=(404,))
)
async def api_need(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/indicators/need", write=False)


@indicators_api_router.put(
    "/{indicator}/sub-goals",
    **relayed(
        "reporting",
        "/indicators/{indicator}/sub-goals",
        model=s.Indicator,
        errors=(401, 403, 404, 429),
    ),
    dependencies=[API_WRITE],
)
async def api_link_sub_goals(indicator: int, request: Request) -> Response:
    return await _to(request, "reporting", "PUT", f"/indicators/{indicator}/sub-goals", write=True)
