"""The public discussion API under ``/api/v1/discussions``, answered by the community service
(its operations, with their typed answers and errors, appear in the merged OpenAPI document)."""

from fastapi import APIRouter, Depends, Request, Response

from htk_gateway.api.routes import API_WRITE, _to
from htk_gateway.api_tokens.caller import api_caller

router = APIRouter(
    prefix="/api/v1/discussions", tags=["discussions"], dependencies=[Depends(api_caller)]
)


async def _read(request: Request, path: str) -> Response:
    return await _to(request, "community", "GET", f"/discussions{path}", write=False)


async def _write(request: Request, method: str, path: str) -> Response:
    return await _to(request, "community", method, f"/discussions{path}", write=True)


@router.get("/topics")
async def list_topics(request: Request) -> Response:
    return await _read(request, "/topics")


@router.post("/topics", status_code=201, dependencies=[API_WRITE])
async def create_topic(request: Request) -> Response:
    return await _write(request, "POST", "/topics")


@router.get("/reports")
async def open_reports(request: Request) -> Response:
    return await _read(request, "/reports")


@router.post("/reports/{report_id}/dismiss", status_code=204, dependencies=[API_WRITE])
async def dismiss_report(report_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/reports/{report_id}/dismiss")


@router.get("/messages/{message_id}")
async def get_message(message_id: str, request: Request) -> Response:
    return await _read(request, f"/messages/{message_id}")


@router.put("/messages/{message_id}", dependencies=[API_WRITE])
async def edit_message(message_id: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/messages/{message_id}")


@router.delete("/messages/{message_id}", dependencies=[API_WRITE])
async def delete_message(message_id: str, request: Request) -> Response:
    return await _write(request, "DELETE", f"/messages/{message_id}")


@router.post("/messages/{message_id}/hide", dependencies=[API_WRITE])
async def hide_message(message_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/messages/{message_id}/hide")


@router.post("/messages/{message_id}/reports", status_code=201, dependencies=[API_WRITE])
async def report_message(message_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/messages/{message_id}/reports")


@router.post("/threads/{thread_id}/replies", status_code=201, dependencies=[API_WRITE])
async def reply(thread_id: str, request: Request) -> Response:
    return await _write(request, "POST", f"/threads/{thread_id}/replies")


@router.put("/threads/{thread_id}/follow", status_code=204, dependencies=[API_WRITE])
async def follow_thread(thread_id: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/threads/{thread_id}/follow")


@router.delete("/threads/{thread_id}/follow", status_code=204, dependencies=[API_WRITE])
async def unfollow_thread(thread_id: str, request: Request) -> Response:
    return await _write(request, "DELETE", f"/threads/{thread_id}/follow")


@router.get("/{kind}/{ref}")
async def get_subject(kind: str, ref: str, request: Request) -> Response:
    return await _read(request, f"/{kind}/{ref}")


@router.get("/{kind}/{ref}/threads")
async def list_threads(kind: str, ref: str, request: Request) -> Response:
    return await _read(request, f"/{kind}/{ref}/threads")


@router.post("/{kind}/{ref}/threads", status_code=201, dependencies=[API_WRITE])
async def start_thread(kind: str, ref: str, request: Request) -> Response:
    return await _write(request, "POST", f"/{kind}/{ref}/threads")


@router.put("/{kind}/{ref}/follow", dependencies=[API_WRITE])
async def follow_subject(kind: str, ref: str, request: Request) -> Response:
    return await _write(request, "PUT", f"/{kind}/{ref}/follow")


@router.delete("/{kind}/{ref}/follow", dependencies=[API_WRITE])
async def unfollow_subject(kind: str, ref: str, request: Request) -> Response:
    return await _write(request, "DELETE", f"/{kind}/{ref}/follow")
