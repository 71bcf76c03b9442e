"""WordPress REST error bodies: `{"code", "message", "data": {"status", ...}}`."""

from __future__ import annotations

from typing import Any


class WooError(Exception):
    """An error answer. `extra` lands inside `data` next to `status` (e.g. `resource_id`)."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    @property
    def data(self) -> dict[str, Any]:
        return {"status": self.status, **self.extra}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def no_route() -> WooError:
    return WooError("rest_no_route", "No route was found matching the URL and request method", 404)


def invalid_params(problems: dict[str, tuple[str, str]]) -> WooError:
    """`rest_invalid_param` as WordPress 5.5+ builds it: one `params` message and one `details` entry per bad arg."""
    return WooError(
        "rest_invalid_param",
        "Invalid parameter(s): " + ", ".join(problems),
        400,
        params={name: message for name, (_, message) in problems.items()},
        details={
            name: {"code": code, "message": message, "data": {"param": name}}
            for name, (code, message) in problems.items()
        },
    )


def missing_params(names: list[str]) -> WooError:
    return WooError("rest_missing_callback_param", "Missing parameter(s): " + ", ".join(names), 400, params=names)


def permission_error(action: str, *, single: bool = False) -> WooError:
    """The capability error an anonymous caller gets (401, `rest_authorization_required_code`)."""
    messages = {
        "read": ("woocommerce_rest_cannot_view",
                 "Sorry, you cannot view this resource." if single else "Sorry, you cannot list resources."),
        "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
        "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
        "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
        "batch": ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."),
    }
    code, message = messages[action]
    return WooError(code, message, 401)


def injected_fault_body(status: int) -> dict[str, Any]:
    """Body for faults the middleware injects: what a host or proxy in front of WordPress would say."""
    if status == 429:
        return {"code": "too_many_requests", "message": "Too many requests. Please slow down.", "data": {"status": 429}}
    return {
        "code": "internal_server_error",
        "message": "<p>There has been a critical error on this website.</p>",
        "data": {"status": status},
    }
