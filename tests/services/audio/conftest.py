"""Audio fixtures: one full espeak-ng build per run, made lazily inside the first test using it.

A missing espeak-ng makes each test that renders FAIL with a clear message (never skip): the
build happens inside the test body, not in fixture setup.
"""

from __future__ import annotations

import shutil
import string
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from i18n import translate
from i18n.voice import Ref, Spell
from services.audio.render import BuildReport, build, default_languages
from services.audio.store import ClipStore

MISSING = ("espeak-ng is not installed: the IVR clip tests render with Debian's espeak-ng "
           "(`apt-get install -y espeak-ng`; `./dev test` and .ci/run install it)")


def require_espeak() -> None:
    """Fail the calling test when espeak-ng is missing."""
    if shutil.which("espeak-ng") is None:
        pytest.fail(MISSING, pytrace=False)


class Built:
    """The clips of every language without provider TTS, built once on first use."""

    def __init__(self, root: Path) -> None:
        self.store = ClipStore(root)
        self._report: BuildReport | None = None

    def report(self) -> BuildReport:
        """Build (once) and report."""
        require_espeak()
        if self._report is None:
            self._report = build(self.store)
        return self._report

    def copy(self, target: Path) -> ClipStore:
        """A private copy of the built directory, for tests that change it."""
        self.report()
        shutil.copytree(self.store.root, target)
        return ClipStore(target)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The shared full build (lazy)."""
    return Built(tmp_path_factory.mktemp("audio") / "clips")


@pytest.fixture
def clip_language() -> str:
    """One language that is played from clips."""
    languages = default_languages()
    assert languages, "no catalog exists for a language without provider TTS"
    return "or" if "or" in languages else languages[0]


def sample_params(key: str) -> dict[str, Any]:
    """Plausible values for every placeholder of a message."""
    values: dict[str, Any] = {"id": Spell("PB-AMR-2026-000123"), "due": date(2026, 12, 3),
                              "updated": datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
                              "status": Ref("status.resolved"), "count": 12}
    names = [n for _, n, _, _ in string.Formatter().parse(translate("en", key)) if n]
    return {n: values.get(n, "Ward 5") for n in names}
