"""`--demo`: local sandbox peers, a throwaway data folder, and a pre-filled Connection form."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from unopim_desktop.sandbox.launcher import Sandbox, SandboxOptions, start_sandbox

DEMO_PRODUCTS = 50


@dataclass
class DemoSession:
    data_dir: Path
    sandbox: Sandbox

    @classmethod
    def start(cls, *, products: int = DEMO_PRODUCTS) -> DemoSession:
        data_dir = Path(tempfile.mkdtemp(prefix="unopim-demo-"))
        sandbox = start_sandbox(SandboxOptions(products=products))
        return cls(data_dir=data_dir, sandbox=sandbox)

    @property
    def note(self) -> str:
        return "Demo mode: local sandbox servers, nothing leaves this computer"

    def unopim_form(self) -> dict[str, str]:
        c = self.sandbox.credentials()["unopim"]
        return {
            "address": c["url"],
            "client_id": c["client_id"],
            "client_secret": c["client_secret"],
            "username": c["username"],
            "password": c["password"],
        }

    def stop(self) -> None:
        self.sandbox.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
