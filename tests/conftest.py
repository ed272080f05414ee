"""Shared test settings: hypothesis runs derandomized in CI so a red build is reproducible;
the notebooks, executed once per session for the tests that read them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from tests.notebook_pages import Exported, export_all

if TYPE_CHECKING:
    from playwright.sync_api import Browser

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def exported_notebooks(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """Every notebook run once in a real kernel and exported (see tests/notebook_pages.py)."""
    return export_all(tmp_path_factory.mktemp("notebooks"))


@pytest.fixture(scope="module")
def offline_browser() -> Iterator[Browser]:
    """Debian's chromium through Playwright, for pages opened offline (tests/browser_offline.py).

    One per test module: Playwright's synchronous API runs one event loop at a time, and other
    modules start their own."""
    from tests.browser_offline import launch

    with launch() as browser:
        yield browser
