"""The places and indicators under /api/v1, forwarded to reporting (which owns them): the
same figures the place pages and the map show (JSON, or CSV/XLSX with ``format``)."""

from fastapi import APIRouter, Request, Response

from htk_gateway.api.routes import API_WRITE, _to

api_router = APIRouter(prefix="/api/v1/places", tags=["places"])


@api_router.get("")
async def api_places(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places", write=False)


@api_router.get("/map")
async def api_map(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places/map", write=False)


@api_router.get("/finland")
async def api_finland(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/places/finland", write=False)


@api_router.get("/county/{code}")
async def api_county(code: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/places/county/{code}", write=False)


@api_router.get("/municipality/{code}")
async def api_municipality(code: str, request: Request) -> Response:
    return await _to(request, "reporting", "GET", f"/places/municipality/{code}", write=False)


# -- indicators: need next to activity --------------------------------------------------------


indicators_api_router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])


@indicators_api_router.get("")
async def api_indicators(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/indicators", write=False)


@indicators_api_router.get("/need")
async def api_need(request: Request) -> Response:
    return await _to(request, "reporting", "GET", "/indicators/need", write=False)


@indicators_api_router.put("/{indicator}/sub-goals", dependencies=[API_WRITE])
async def api_link_sub_goals(indicator: int, request: Request) -> Response:
    return await _to(request, "reporting", "PUT", f"/indicators/{indicator}/sub-goals", write=True)
