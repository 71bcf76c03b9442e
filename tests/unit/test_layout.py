"""The house rules a newcomer relies on: small modules, and a repository that names nothing outside it.
(The import contracts are checked by `lint-imports`, which `.ci/run` runs.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "unopim_desktop"
MAX_LINES = 500


def test_every_module_is_under_500_lines():
    too_long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_LINES}
    assert too_long == {}, f"split these modules along a real seam: {too_long}"


def test_the_docs_and_build_files_name_no_path_outside_the_repository():
    files = [*ROOT.glob("*.md"), *ROOT.glob("*.toml"), *ROOT.glob("*.spec"), *(ROOT / "benchmarks").glob("*.md"),
             *(ROOT / ".ci").glob("*"), *(ROOT / "packaging").rglob("*")]
    outside = re.compile(r"\.\./[\w.-]|(?<![\w.])/(?:work|root|home|Users)/")
    found = {}
    for f in files:
        if f.is_file():
            hits = [line.strip() for line in f.read_text(encoding="utf-8", errors="replace").splitlines()
                    if outside.search(line)]
            if hits:
                found[str(f.relative_to(ROOT))] = hits
    assert found == {}
