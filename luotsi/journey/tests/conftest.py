from luotsi.customers.tests.conftest import area_org, register, team, worker  # noqa: F401
