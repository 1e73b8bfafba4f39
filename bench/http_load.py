"""A lean HTTP/1.1 load client: one keep-alive connection sending one prepared request.

httpx spends about 5 ms of CPU on each request; the benchmarks run the load generator on the
same cores as the service it measures, so at a few hundred requests per second httpx alone would
take most of a core away from the service. This client encodes the request once and reads only
the status line, the headers and a ``Content-Length`` body.
"""

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import quote, urlsplit


class PreparedRequest:
    def __init__(
        self, url: str, method: str, path: str, headers: dict[str, str], json_body: Any
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        body = b"" if json_body is None else json.dumps(json_body).encode()
        lines = [
            # The request line is ASCII: percent-encode what a browser would (ä in a query).
            f"{method} {quote(path, safe='/?=&%:+,;')} HTTP/1.1",
            f"Host: {parts.netloc}",
            *(["Content-Type: application/json"] if body else []),
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, request: PreparedRequest) -> None:
        self.request = request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: PreparedRequest | None = None) -> int:
        """Send the request (by default the connection's own) once; returns the status.

        Another request must go to the same host and port as the connection's own.
        """
        raw = (request or self.request).raw
        reused = self.writer is not None
        try:
            return await self._exchange(raw)
        except asyncio.IncompleteReadError as exc:
            if not reused or exc.partial:
                raise
        except ConnectionError:
            if not reused:
                raise
        # The server closed the idle connection (uvicorn after 5 s) before reading the request:
        # send it again on a new one, as browsers do.
        await self.close()
        return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.request.host, self.request.port
            )
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, close, chunked = 0, False, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = value.strip().lower() == "chunked"
                if not chunked:
                    raise ValueError(f"unsupported transfer-encoding {value.strip()}")
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if chunked:
            await self._skip_chunks()
        elif length:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def _skip_chunks(self) -> None:
        assert self.reader is not None
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                # Trailer lines, if any, end with an empty line.
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return
            await self.reader.readexactly(size + 2)

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
