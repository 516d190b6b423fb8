"""Every error becomes ``{"error": code, "detail": sentence}`` with a 4xx/5xx
status for the API, or a small HTML page for the dashboard. Never a
traceback: unexpected exceptions are logged with the request id and answered
with a 500 that quotes it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from prodready.server._context import ApiError
from prodready.server._ingest import IngestError
from prodready.server._observability import request_id_var

log = logging.getLogger("prodready.server")

_TITLES = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    410: "Gone",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/metrics", "/healthz", "/readyz")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status: int,
    error: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    request_id = request_id_var.get()
    if _wants_json(request):
        body: dict[str, Any] = {"error": error, "detail": detail}
        if errors:
            body["errors"] = errors
        if request_id:
            body["request_id"] = request_id
        return JSONResponse(body, status_code=status, headers=headers)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:  # pragma: no cover - the app always has templates
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
    response: Response = templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": status,
            "title": _TITLES.get(status, "Error"),
            "error": error,
            "detail": detail,
            "request_id": request_id,
        },
        status_code=status,
        headers=headers,
    )
    return response


def _loc(parts: Any) -> list[str]:
    return [str(p) for p in parts]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.error, exc.detail, headers=exc.headers)

    @app.exception_handler(IngestError)
    async def _ingest_error(request: Request, exc: IngestError) -> Response:
        return error_response(request, exc.status, exc.error, exc.detail, errors=exc.errors or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "loc": _loc(e.get("loc", ())),
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()[:50]
        ]
        first = errors[0] if errors else None
        where = ".".join(first["loc"]) if first else "request"
        detail = f"{where}: {first['msg']}" if first else "invalid request"
        return error_response(request, 422, "validation_error", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        detail = str(exc.detail) if exc.detail else _TITLES.get(exc.status_code, "error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no page or endpoint at {request.url.path}"
        return error_response(
            request,
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            detail,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.url.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return error_response(
            request,
            500,
            "internal_error",
            "the server failed to answer; the error is logged with this request id",
        )
