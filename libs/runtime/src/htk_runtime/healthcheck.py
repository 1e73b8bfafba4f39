"""Container health check: ``python -m htk_runtime.healthcheck [path]``.

The image's ``HEALTHCHECK`` and docker-compose call it, so the slim image needs no curl. It reads
the port the way the service does (``HTK_PORT``) and exits 0 only on a 200 from ``/health/ready``
(or the path given). Kubernetes probes call the HTTP endpoints directly and do not use this.
"""

import sys
import urllib.error
import urllib.request

from htk_runtime.settings import ServiceSettings


def check(port: int, path: str = "/health/ready", timeout: float = 3.0) -> bool:
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else "/health/ready"
    return 0 if check(ServiceSettings().port, path) else 1


if __name__ == "__main__":
    sys.exit(main())
