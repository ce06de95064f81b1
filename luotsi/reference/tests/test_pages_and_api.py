import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_areas_page_on_a_date(client):
    client.cookies["django_language"] = "en"
    html = client.get("/reference/?date=2025-01-01").content.decode()
    assert "there were 308 municipalities" in html and "45 employment areas" in html
    html = client.get("/reference/?date=2024-06-01").content.decode()
    assert "No employment areas on this date" in html


def test_bad_date_is_reported(client):
    client.cookies["django_language"] = "en"
    html = client.get("/reference/?date=2025-02-30").content.decode()
    assert "is not a date" in html


def test_municipality_history_page_shows_merger_and_pilots(client):
    client.cookies["django_language"] = "en"
    html = client.get("/reference/municipalities/588/").content.decode()
    assert "Pertunmaa" in html and "Mäntyharju" in html and "31.12.2024" in html
    assert client.get("/reference/municipalities/000/").status_code == 404


def test_api_municipality_context_by_date(client):
    data = client.get("/api/v1/reference/municipalities/091?date=2023-05-01").json()
    assert data["employment_area"] is None
    assert [p["kind"] for p in data["pilots"]] == ["municipal"]
    data = client.get("/api/v1/reference/municipalities/091?date=2025-05-01").json()
    assert data["employment_area"]["name_fi"] == "Helsinki" and data["pilots"] == []
    assert client.get("/api/v1/reference/municipalities/999").status_code == 404


def test_api_counts_and_members(client):
    assert len(client.get("/api/v1/reference/municipalities?date=2024-12-31").json()) == 309
    assert len(client.get("/api/v1/reference/municipalities?date=2025-01-01").json()) == 308
    areas = client.get("/api/v1/reference/areas?date=2025-01-01").json()
    assert len(areas) == 45
    total = sum(
        len(client.get(f"/api/v1/reference/areas/{a['code']}/members?date=2025-01-01").json())
        for a in areas
    )
    assert total == 292


def test_openapi_schema_lists_reference_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reference/areas/{code}/members" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in docs and "/static/ninja/" in docs


def test_area_page_lists_its_municipalities_on_the_chosen_date(client):
    from luotsi.reference import selectors

    client.cookies["django_language"] = "en"
    area = selectors.area_of("507", dt.date(2025, 1, 1))  # Mäntyharju
    html = client.get(f"/reference/areas/{area.code}/?date=2025-01-01").content.decode()
    members = {m.name_fi for m in selectors.members_of_area(area.code, dt.date(2025, 1, 1))}
    assert "Mäntyharju" in members and all(name in html for name in members)
    assert "Pertunmaa" not in html
    html = client.get(f"/reference/areas/{area.code}/?date=2024-12-31").content.decode()
    assert "No members on this date." in html and "Mäntyharju" not in html.split("<main")[1]
