"""Fixtures: users in every role, a simulated panel file with a known effect, an evaluation."""

from __future__ import annotations

import pytest

from luotsi.core.models import Organisation
from luotsi.core.roles import Role
from luotsi.kernel.codes import OrganisationType

from .simulate import simulate_panel, write_panel

TRUE_EFFECT = 2.0


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_pdf(settings, tmp_path):
    """No Chromium in the ordinary tests (one test turns it on); media under tmp_path."""
    settings.EVALUATION_CHROMIUM = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def area_org(db):
    return Organisation.objects.create(
        name="Mikkelin seudun työllisyysalue", type=OrganisationType.EMPLOYMENT_AREA
    )


@pytest.fixture
def evaluator(make_user, area_org):
    return make_user(Role.EVALUATOR, organisation=area_org, username="evaluator")


@pytest.fixture
def manager(make_user, area_org):
    return make_user(Role.AREA_MANAGEMENT, organisation=area_org, username="manager")


@pytest.fixture
def worker(make_user, area_org):
    return make_user(Role.RESPONSIBLE_WORKER, organisation=area_org, username="worker")


@pytest.fixture
def partner(make_user):
    ngo = Organisation.objects.create(name="Työpaja ry", type=OrganisationType.NGO)
    return make_user(Role.PARTNER_WORKER, organisation=ngo, username="partner")


@pytest.fixture
def panel_path(tmp_path):
    return write_panel(simulate_panel(effect=TRUE_EFFECT, seed=3), tmp_path / "panel.csv")


@pytest.fixture
def make_evaluation(evaluator, panel_path):
    from luotsi.evaluation import services

    def make(**fields):
        base = {
            "title": "Simulated pilot",
            "question": "Did the pilot raise the outcome?",
            "outcome": "outcome",
            "panel_file": str(panel_path),
            "treatment_source": "panel",
            "estimators": ["cs_dr", "cs_reg", "cs_ipw"],
            "bootstrap_draws": 199,
            "cluster_level": "cluster",
        }
        base.update(fields)
        return services.create_evaluation(actor=evaluator, **base)

    return make


@pytest.fixture
def evaluation(make_evaluation):
    return make_evaluation()
