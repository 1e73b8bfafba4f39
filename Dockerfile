# syntax=docker/dockerfile:1
#
# One multi-target Dockerfile for the six services:
#   docker build --target gateway -t htk/gateway .
# Stages: `build` installs each service's locked dependencies (uv.lock, --frozen) into /opt/venv;
# the service targets copy only that venv onto a slim runtime that has no pip, no uv and no
# compiler, and runs as an unprivileged user with a health check.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# The whole workspace is needed to resolve the lock; .dockerignore keeps tests and caches out.
COPY pyproject.toml uv.lock ./
COPY cli/pyproject.toml cli/
COPY libs libs
COPY services services

FROM build AS venv-gateway
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-gateway

FROM build AS venv-catalogue
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-catalogue

FROM build AS venv-submissions
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-submissions

FROM build AS venv-search
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-search

FROM build AS venv-reporting
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-reporting

FROM build AS venv-community
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package htk-community

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# pip, setuptools and wheel are build tools: the service's venv already holds what it runs.
RUN python -m pip uninstall --yes --no-cache-dir pip setuptools wheel \
    && groupadd --system --gid 10001 htk \
    && useradd --system --uid 10001 --gid htk --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin htk
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HTK_HOST=0.0.0.0
WORKDIR /app
USER 10001:10001
# uvicorn reads the app from UVICORN_APP (set per target); host, port and the drain time come
# from the same HTK_ settings the service reads, so one variable moves both. uvicorn's own
# reading of X-Forwarded-For is off (--no-proxy-headers): it would trust 127.0.0.1 by default;
# the gateway believes the header only from HTK_TRUSTED_PROXIES (empty: from nobody).
CMD ["/bin/sh", "-c", "grace=\"${HTK_SHUTDOWN_GRACE_SECONDS:-15}\"; exec uvicorn --host \"$HTK_HOST\" --port \"$HTK_PORT\" --no-access-log --no-proxy-headers --timeout-graceful-shutdown \"${grace%.*}\""]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "htk_runtime.healthcheck"]

# Voikko (Finnish base forms and compound parts) is a shared library the search service loads.
# These are runtime libraries, not build tools.
FROM runtime AS runtime-voikko
USER 0:0
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libvoikko1 voikko-fi wswedish \
    && rm -rf /var/lib/apt/lists/*
USER 10001:10001

# ---------------------------------------------------------------------------------------------
FROM runtime AS gateway
COPY --from=venv-gateway /opt/venv /opt/venv
ENV UVICORN_APP=htk_gateway.main:app HTK_PORT=8000 HTK_TRUSTED_PROXIES=""
EXPOSE 8000

FROM runtime AS catalogue
COPY --from=venv-catalogue /opt/venv /opt/venv
# The plan and the geography reference data, owned by root and so read-only for the service.
COPY data /app/data
ENV UVICORN_APP=htk_catalogue.main:app HTK_PORT=8001
EXPOSE 8001

FROM runtime AS submissions
COPY --from=venv-submissions /opt/venv /opt/venv
# Geography reference data to validate place codes, read-only like the catalogue's.
COPY data /app/data
ENV UVICORN_APP=htk_submissions.main:app HTK_PORT=8002
EXPOSE 8002

FROM runtime-voikko AS search
COPY --from=venv-search /opt/venv /opt/venv
# Geography reference data for the place facets, read-only like the catalogue's.
COPY data /app/data
ENV UVICORN_APP=htk_search.main:app HTK_PORT=8003
EXPOSE 8003

# The yearly report's PDF embeds a TrueType font with the letters Latin-1 lacks (– ’ € Č Ŋ).
FROM runtime AS runtime-fonts
USER 0:0
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
USER 10001:10001

FROM runtime-fonts AS reporting
COPY --from=venv-reporting /opt/venv /opt/venv
# Geography reference data (municipality -> county), read-only like the catalogue's.
COPY data /app/data
ENV UVICORN_APP=htk_reporting.main:app HTK_PORT=8004
EXPOSE 8004

FROM runtime AS community
COPY --from=venv-community /opt/venv /opt/venv
ENV UVICORN_APP=htk_community.main:app HTK_PORT=8005
EXPOSE 8005
