"""Error answers in the shapes of the *arr error pipeline (RadarrErrorPipeline and its Prowlarr twin)."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Ends a request with this status and JSON body (None: empty body)."""

    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def failure(property_name: str, message: str, attempted: Any = None, warning: bool = False,
            detail: str | None = None) -> dict[str, Any]:
    """One FluentValidation failure as the API serializes it (`detail`: NzbDroneValidationFailure's
    DetailedDescription)."""
    return {"propertyName": property_name, "errorMessage": message, "attemptedValue": attempted,
            "severity": "warning" if warning else "error", "isWarning": warning, "infoLink": None,
            "detailedDescription": detail}


def invalid(failures: list[dict[str, Any]]) -> ApiError:
    return ApiError(400, failures)


def problem(status: int, message: str, description: str | None = None) -> ApiError:
    return ApiError(status, {"message": message, "description": description})


def not_found() -> ApiError:
    return problem(404, "NotFound")
