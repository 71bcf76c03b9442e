"""What a UnoPim sandbox handler receives: the request, the state, the parsed body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from unopim_desktop.sandbox.unopim.state import UnoPimState


@dataclass
class Ctx:
    request: Request
    state: UnoPimState
    body: Any  # JSON or form input as `$request->all()` sees it ({} when none)

    @property
    def version(self) -> int:
        return self.state.version

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def body_dict(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}
