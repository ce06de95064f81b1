"""Writes of the core app: audit entries, the read log, organisations, users and roles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from .middleware import current_request
from .models import AuditEntry, Organisation, PersonalDataRead, Unit, User
from .roles import Role, ensure_role_groups


def audit(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry (call inside the transaction of the change it describes)."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=dict(changes or {}),
    )


def log_personal_data_read(
    *, actor: User, customer_id, purpose: str, fields: Iterable[str] = ()
) -> PersonalDataRead:
    """Record that ``actor`` read a customer's personal data (who, when, why, what, and through
    which page or API endpoint when called while serving a request)."""
    where = current_request()
    return PersonalDataRead.objects.create(
        actor=actor,
        customer_id=customer_id,
        purpose=purpose,
        fields=sorted(set(fields)),
        organisation=actor.organisation,
        view=where.view if where else None,
        path=where.path if where else None,
    )


@transaction.atomic
def create_organisation(*, actor: User | None, **fields: Any) -> Organisation:
    org = Organisation(**fields)
    org.full_clean()
    org.save()
    audit(actor=actor, action="create", obj=org, summary=org.name)
    return org


@transaction.atomic
def create_unit(*, actor: User | None, organisation: Organisation, name: str) -> Unit:
    unit, created = Unit.objects.get_or_create(organisation=organisation, name=name)
    if created:
        audit(actor=actor, action="create", obj=unit, summary=name)
    return unit


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    roles: Iterable[Role] = (),
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    **fields: Any,
) -> User:
    """Create a user with the given roles; an unusable password if ``password`` is None."""
    ensure_role_groups()
    user = User(username=username, organisation=organisation, unit=unit, **fields)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=[Role(r).value for r in roles]))
    audit(
        actor=actor,
        action="create",
        obj=user,
        summary=username,
        changes={"roles": sorted(Role(r).value for r in roles)},
    )
    return user
