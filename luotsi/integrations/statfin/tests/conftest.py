from __future__ import annotations

import pytest

from luotsi.integrations.statfin.client import PxWebClient
from luotsi.integrations.statfin.tests.fakeserver import FakePxWeb


@pytest.fixture
def fake():
    server = FakePxWeb().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(fake, sleeps):
    """A client of the fake server that records its backoff sleeps instead of sleeping."""
    return PxWebClient(fake.base_url, "fi", timeout=5, retries=3, backoff=0.5, sleep=sleeps.append)
