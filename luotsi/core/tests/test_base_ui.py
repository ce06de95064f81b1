import pytest
from django.contrib.auth.models import Group

from luotsi.core.roles import Role, has_role

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.parametrize(
    ("language", "title", "skip"),
    [
        ("fi", "Kirjaudu sisään", "Siirry pääsisältöön"),
        ("sv", "Logga in", "Hoppa till huvudinnehållet"),
        ("en", "Sign in", "Skip to main content"),
    ],
)
def test_login_page_in_each_language(client, language, title, skip):
    client.cookies["django_language"] = language
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert title in html and skip in html
    assert 'id="main"' in html


def test_language_switch_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/login/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "sv"
    assert "Logga in" in client.get("/login/").content.decode()


def test_home_requires_login_and_greets_the_user(client, make_user):
    assert client.get("/").status_code == 302
    user = make_user(Role.RESPONSIBLE_WORKER, first_name="Aino")
    assert has_role(user, Role.RESPONSIBLE_WORKER) and not has_role(user, Role.EVALUATOR)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "Welcome, Aino" in html and "Responsible worker" in html


def test_strict_content_security_policy_without_external_assets(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http://" not in response.content.decode().replace("http://www.w3.org", "")
    assert "https://" not in response.content.decode()


def test_wrong_password_gives_an_error_summary(client, make_user):
    make_user(username="aino")
    client.cookies["django_language"] = "en"
    response = client.post("/login/", {"username": "aino", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_navigation_follows_roles(client, make_user):
    from luotsi.core.models import Organisation

    org = Organisation.objects.create(name="Alue", type="employment_area", employment_area_code="1")
    client.cookies["django_language"] = "en"
    worker = make_user(Role.RESPONSIBLE_WORKER, organisation=org)
    client.force_login(worker)
    html = client.get("/").content.decode()
    assert (
        "My caseload" in html
        and "Partner portal" not in html
        and "My plan and services" not in html
    )
    customer = make_user(Role.CUSTOMER)
    client.force_login(customer)
    html = client.get("/").content.decode()
    assert "My plan and services" in html and "My caseload" not in html
