"""Time-valid reference data: municipalities, regions, employment areas, pilots and memberships.

Every validity period is ``[valid_from, valid_to]`` with **valid_to inclusive** (the last day on
which the row holds; NULL = still valid), the way Finnish law states periods ("1.3.2021-31.12.2024").
Rows are never deleted: a municipality that ceases gets ``valid_to`` and ``merged_into``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Localised(models.Model):
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "fi")[:2]
        return {"sv": self.name_sv, "en": self.name_en}.get(lang) or self.name_fi


class TimeValid(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last valid day.")
    )

    class Meta:
        abstract = True

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def valid_on_q(day, prefix: str = "") -> Q:
    """Filter for rows valid on ``day`` (prefix e.g. ``"memberships__"``)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def overlaps_q(start, end, prefix: str = "") -> Q:
    """Rows whose validity overlaps ``[start, end]`` (end inclusive, None = open)."""
    q = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}valid_from__lte": end})
    return q


class Region(Localised):
    """A region (maakunta), Statistics Finland's code."""

    code = models.CharField(_("code"), max_length=2, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]


class LanguageRatio(models.IntegerChoices):
    FINNISH = 1, _("Finnish")
    BILINGUAL_FINNISH_MAJORITY = 2, _("Bilingual, Finnish majority")
    BILINGUAL_SWEDISH_MAJORITY = 3, _("Bilingual, Swedish majority")
    SWEDISH = 4, _("Swedish")


class Municipality(Localised, TimeValid):
    code = models.CharField(_("code"), max_length=3, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    language_ratio = models.PositiveSmallIntegerField(
        _("language ratio"), choices=LanguageRatio.choices, default=LanguageRatio.FINNISH
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["code"]


class PostalCode(models.Model):
    code = models.CharField(_("postal code"), max_length=5, unique=True)
    name_fi = models.CharField(max_length=100)
    name_sv = models.CharField(max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="postal_codes"
    )
    valid_from = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_fi}"


class EmploymentArea(Localised, TimeValid):
    """A työllisyysalue: municipalities organising employment services together (from 2025)."""

    code = models.CharField(_("code"), max_length=4, unique=True)

    class Meta:
        verbose_name = _("employment area")
        verbose_name_plural = _("employment areas")
        ordering = ["name_fi"]


class PilotKind(models.TextChoices):
    REGIONAL = "regional", _("Regional pilot 2017–2018")
    MUNICIPAL = "municipal", _("Municipal employment pilot 2021–2024")


class Pilot(Localised, TimeValid):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=PilotKind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["kind", "name_fi"]


class Membership(TimeValid):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=60, help_text=_("How certain the row is."))
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else ""
        return f"{self.municipality_id} {self.valid_from.isoformat()}–{end}"


class AreaMembership(Membership):
    area = models.ForeignKey(EmploymentArea, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        verbose_name = _("employment area membership")
        verbose_name_plural = _("employment area memberships")
        ordering = ["area", "municipality", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "municipality", "valid_from"], name="area_membership_unique"
            )
        ]


class PilotMembership(Membership):
    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        verbose_name = _("pilot membership")
        verbose_name_plural = _("pilot memberships")
        ordering = ["pilot", "municipality", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["pilot", "municipality", "valid_from"], name="pilot_membership_unique"
            )
        ]


class ReferenceImport(models.Model):
    """One run of a reference-data loader: what file, what changed."""

    dataset = models.CharField(max_length=40)
    source_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.imported_at:%Y-%m-%d %H:%M}"
