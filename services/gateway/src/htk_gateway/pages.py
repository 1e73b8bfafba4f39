"""Server-rendered pages. The front page for now; the full UI arrives with its own issue."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

FRONT_PAGE = """<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hyvinvointia kaikille 2030</title>
</head>
<body>
<main>
<h1>Hyvinvointia kaikille 2030</h1>
<p>Toimenpiteitä hyvinvoinnin ja terveyden eriarvoisuuden vähentämiseksi.</p>
<form action="/api/v1/search" method="get" role="search">
<label for="q">Hae toimenpiteitä</label>
<input id="q" name="q" type="search">
<button type="submit">Hae</button>
</form>
<p><a href="/api/v1/coverage">Kattavuus painopisteittäin (JSON)</a> ·
<a href="/docs">API</a></p>
</main>
</body>
</html>
"""


@router.get("/", response_class=HTMLResponse)
async def front_page() -> str:
    return FRONT_PAGE
