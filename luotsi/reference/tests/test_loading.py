import datetime as dt

import pytest
from django.db.models import Count

from luotsi.reference import selectors, services
from luotsi.reference.models import (
    AreaMembership,
    EmploymentArea,
    Municipality,
    PilotMembership,
    PostalCode,
    ReferenceImport,
)
from luotsi.reference.parsing import ReferenceFileError

pytestmark = pytest.mark.django_db

D2024_END = dt.date(2024, 12, 31)
D2025 = dt.date(2025, 1, 1)


def snapshot():
    """Every reference row as comparable tuples."""
    return (
        sorted(
            Municipality.objects.values_list(
                "code", "name_fi", "valid_from", "valid_to", "merged_into"
            )
        ),
        sorted(
            AreaMembership.objects.values_list(
                "area__code", "municipality__code", "valid_from", "valid_to"
            )
        ),
        sorted(
            PilotMembership.objects.values_list(
                "pilot__code", "municipality__code", "valid_from", "valid_to", "status"
            )
        ),
        PostalCode.objects.count(),
        ReferenceImport.objects.count(),
    )


def test_municipality_counts_change_with_the_pertunmaa_merger():
    assert selectors.municipalities_on(D2024_END).count() == 309
    assert selectors.municipalities_on(D2025).count() == 308
    pertunmaa = selectors.municipality("588")
    assert pertunmaa.valid_to == D2024_END
    assert pertunmaa.merged_into.code == "507"
    assert not selectors.municipalities_on(D2025).filter(code="588").exists()


def test_every_mainland_municipality_is_in_exactly_one_of_45_areas():
    assert selectors.areas_on(D2025).count() == 45
    assert not EmploymentArea.objects.filter(code="46").exists()  # Åland
    mainland = selectors.municipalities_on(D2025).exclude(region__code="21")
    assert mainland.count() == 292
    counts = (
        AreaMembership.objects.filter(valid_from__lte=D2025)
        .filter(municipality__in=mainland)
        .values("municipality")
        .annotate(n=Count("id"))
    )
    assert len(counts) == 292
    assert {c["n"] for c in counts} == {1}
    # Åland municipalities belong to no area
    aland = selectors.municipalities_on(D2025).filter(region__code="21")
    assert aland.count() == 16
    assert all(selectors.area_of(m.code, D2025) is None for m in aland)


def test_area_membership_edges():
    assert selectors.area_of("091", D2024_END) is None
    helsinki = selectors.area_of("091", D2025)
    assert helsinki is not None and helsinki.name_fi == "Helsinki"
    members = list(selectors.members_of_area(helsinki.code, D2025).values_list("code", flat=True))
    assert members == ["091"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 2, 28), []),
        (dt.date(2021, 3, 1), ["municipal"]),
        (dt.date(2024, 12, 31), ["municipal"]),
        (dt.date(2025, 1, 1), []),
    ],
)
def test_pilot_membership_edges(day, expected):
    assert [p.kind for p in selectors.pilots_of("091", day)] == expected


def test_regional_pilot_period_and_status_are_kept():
    pilots = selectors.pilots_of("853", dt.date(2017, 8, 1))  # Turku
    assert [p.kind for p in pilots] == ["regional"]
    assert selectors.pilots_of("853", dt.date(2017, 7, 31)) == []
    row = PilotMembership.objects.get(municipality__code="853")
    assert row.status == "final" and row.source.startswith("https://")
    # Kitee took part in both pilots, in different periods
    assert [p.kind for p in selectors.pilots_of("260", dt.date(2018, 6, 1))] == ["regional"]
    assert [p.kind for p in selectors.pilots_of("260", dt.date(2022, 6, 1))] == ["municipal"]


def test_postal_code_resolves_municipality():
    assert selectors.municipality_from_postal_code("00100").code == "091"
    assert selectors.municipality_from_postal_code("00001") is None


def test_loading_twice_changes_nothing():
    before = snapshot()
    results = services.load_all()
    assert all(not r.changed for r in results), [str(r) for r in results]
    assert snapshot() == before


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_municipality_file_writes_nothing_and_names_the_line(tmp_path):
    before = snapshot()
    path = write(
        tmp_path,
        "bad.csv",
        "code,name_fi,name_sv,region_code,region_fi,region_sv,language_ratio\n"
        "005,Alajärvi X,Alajärvi,14,Etelä-Pohjanmaa,Södra Österbotten,1\n"
        "009,Alavieska,Alavieska,17,Pohjois-Pohjanmaa,Norra Österbotten,7\n",
    )
    with pytest.raises(ReferenceFileError) as err:
        services.load_municipalities(path)
    assert err.value.line == 3 and err.value.column == "language_ratio"
    assert "line 3" in str(err.value) and "7 is not one of" in str(err.value)
    assert snapshot() == before
    assert Municipality.objects.get(code="005").name_fi == "Alajärvi"


def test_unknown_municipality_in_pilot_file_writes_nothing(tmp_path):
    before = snapshot()
    path = write(
        tmp_path,
        "pilots.csv",
        "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
        "municipal_2021,Uusi,091,2021-03-01,2024-12-31,verified,x\n"
        "municipal_2021,Uusi,999,2021-03-01,2024-12-31,verified,x\n",
    )
    with pytest.raises(ReferenceFileError) as err:
        services.load_pilots(path)
    assert err.value.line == 3 and "999" in str(err.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("pilot_kind,pilot_name\nregional,x\n", 1, None),  # missing columns
        (
            "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
            "municipal,X,091,2021-03-01,2020-12-31,verified,x\n",
            2,
            "valid_to",
        ),
        (
            "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
            "municipal,X,091,1.3.2021,31.12.2024,verified,x\n"
            "municipal,X,091,1.6.2021,31.12.2022,verified,x\n",
            3,
            "valid_from",
        ),
        (
            "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
            "national,X,091,2021-03-01,2024-12-31,verified,x\n",
            2,
            "pilot_kind",
        ),
    ],
)
def test_pilot_file_errors_name_line_and_column(tmp_path, text, line, column):
    with pytest.raises(ReferenceFileError) as err:
        services.load_pilots(write(tmp_path, "p.csv", text))
    assert err.value.line == line
    assert err.value.column == column


def test_user_can_load_missing_pilot_members_from_a_file(tmp_path):
    path = write(
        tmp_path,
        "more.csv",
        "pilot_kind;pilot_name;municipality_code;valid_from;valid_to;status;source\n"
        "municipal_2021;Tampereen seutu;837;1.3.2021;31.12.2024;verified;https://example.invalid/law\n",
    )
    result = services.load_pilots(path)
    assert result.created == 2  # the pilot and its membership
    assert [p.name_fi for p in selectors.pilots_of("837", dt.date(2023, 1, 1))] == [
        "Tampereen seutu"
    ]
    assert services.load_pilots(path).changed is False


def test_classification_service_json_moves_a_municipality_and_closes_the_old_row(tmp_path):
    old_area = selectors.area_of("005", D2025)
    path = write(
        tmp_path,
        "key.json",
        '[{"sourceItem": {"code": "005", "classificationItemNames": [{"lang": "fi", "name": "Alajärvi"}]},'
        ' "targetItem": {"code": "12", "classificationItemNames": [{"lang": "fi", "name": "Seinäjoki"},'
        ' {"lang": "sv", "name": "Seinäjoki"}]}}]',
    )
    services.load_areas(path, valid_from=dt.date(2027, 1, 1))
    assert selectors.area_of("005", dt.date(2026, 12, 31)) == old_area
    assert selectors.area_of("005", dt.date(2027, 1, 1)).code == "12"
    old_row = AreaMembership.objects.get(municipality__code="005", area=old_area)
    assert old_row.valid_to == dt.date(2026, 12, 31)


def test_generic_area_file_with_dates(tmp_path):
    path = write(
        tmp_path,
        "areas.csv",
        "area_code,municipality_code,valid_from,valid_to,status,source,name_fi\n"
        "99,091,2026-01-01,2026-06-30,test,unit test,Testialue\n",
    )
    services.load_areas(path)
    assert [m.code for m in selectors.members_of_area("99", dt.date(2026, 6, 30))] == ["091"]
    assert list(selectors.members_of_area("99", dt.date(2026, 7, 1))) == []


def test_each_mainland_municipality_in_exactly_one_area_valid_on_the_day():
    """Counted with the validity period on both sides (valid_from <= day <= valid_to)."""
    mainland = selectors.municipalities_on(D2025).exclude(region__code="21")
    valid = AreaMembership.objects.filter(valid_from__lte=D2025).exclude(valid_to__lt=D2025)
    per_municipality = dict(
        valid.filter(municipality__in=mainland)
        .values_list("municipality__code")
        .annotate(n=Count("id"))
    )
    assert len(per_municipality) == 292 and set(per_municipality.values()) == {1}
    assert valid.values("area").distinct().count() == 45
    # the selector agrees for every municipality
    assert (
        sum(len(selectors.members_of_area(a.code, D2025)) for a in selectors.areas_on(D2025)) == 292
    )
    # Mäntyharju holds Pertunmaa's former territory: 588 has no area, 507 has one
    assert selectors.area_of("588", D2025) is None and selectors.area_of("507", D2025) is not None


def test_malformed_area_file_names_line_and_column_and_writes_nothing(tmp_path):
    before = snapshot()
    path = write(
        tmp_path,
        "areas.csv",
        "area_code,municipality_code,valid_from,valid_to\n99,091,2026-01-01,\n99,092,2026-13-01,\n",
    )
    with pytest.raises(ReferenceFileError) as err:
        services.load_areas(path)
    assert (err.value.line, err.value.column) == (3, "valid_from")
    assert "line 3" in str(err.value) and "valid_from" in str(err.value)
    assert snapshot() == before
    assert not EmploymentArea.objects.filter(code="99").exists()


def test_cli_loads_with_a_progress_bar_and_reports_nothing_changed(capsys):
    from django.core.management import call_command

    before = snapshot()
    call_command("load_reference")
    out, err = capsys.readouterr()
    assert "0 created, 0 updated" in out
    assert "row/s" in err or "%|" in err  # tqdm's bar on stderr
    assert snapshot() == before


def test_cli_bad_file_is_a_command_error_naming_line_and_column(tmp_path):
    from django.core.management import CommandError, call_command

    before = snapshot()
    path = write(
        tmp_path,
        "p.csv",
        "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
        "municipal,X,091,2021-03-01,2020-12-31,verified,x\n",
    )
    with pytest.raises(CommandError) as err:
        call_command("load_reference", "--pilots", str(path), "--no-progress")
    assert str(err.value).startswith("nothing was loaded:")
    assert "line 2" in str(err.value) and "valid_to" in str(err.value)
    assert snapshot() == before


def test_load_failing_midway_writes_nothing(tmp_path, monkeypatch):
    """Atomic even when the database refuses a row after others were written."""
    from luotsi.reference import models

    before = snapshot()
    path = write(
        tmp_path,
        "p.csv",
        "pilot_kind,pilot_name,municipality_code,valid_from,valid_to,status,source\n"
        "municipal,Uusi X,091,2021-03-01,2024-12-31,verified,x\n"
        "municipal,Uusi X,092,2021-03-01,2024-12-31,verified,x\n",
    )
    real_save = models.PilotMembership.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(models.PilotMembership, "save", failing_save)
    with pytest.raises(Exception):  # noqa: B017 - whatever the database says
        services.load_pilots(path)
    assert calls["n"] == 2  # the first membership had been written when the second failed
    assert snapshot() == before
    assert not models.Pilot.objects.filter(name_fi="Uusi X").exists()
