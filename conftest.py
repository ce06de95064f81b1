"""Test-suite wide fixtures: the reference data is loaded once into each test database."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from luotsi.reference.services import load_all

    with django_db_blocker.unblock():
        load_all()


@pytest.fixture
def make_user(db):
    from luotsi.core.roles import Role
    from luotsi.core.services import create_user

    counter = {"n": 0}

    def make(*roles: Role, organisation=None, unit=None, username: str | None = None, **fields):
        counter["n"] += 1
        return create_user(
            actor=None,
            username=username or f"user{counter['n']}",
            password="correct horse battery staple",
            roles=roles,
            organisation=organisation,
            unit=unit,
            **fields,
        )

    return make
