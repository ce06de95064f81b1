"""Shared parts of the indicator commands: the actor, progress output and clear errors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def parse_date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value + ("-01" if len(value) == 7 else ""))
    except ValueError:
        raise CommandError(
            _("--%(name)s=%(value)s is not a date (YYYY-MM-DD or YYYY-MM)")
            % {"name": name, "value": value}
        ) from None


class IndicatorCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--actor", help="username recorded as the actor (default: none)")

    def actor(self, opts):
        from luotsi.core.models import User

        if not opts.get("actor"):
            return None
        try:
            return User.objects.get(username=opts["actor"])
        except User.DoesNotExist:
            raise CommandError(_("--actor: no user %s") % opts["actor"]) from None

    def progress(self, message: str) -> None:
        if self.verbosity:
            self.stdout.write(f"  {message}")

    def done(self, message: str) -> None:
        self.stdout.write(self.style.SUCCESS(_("Done: %s") % message))

    def guarded(self, call, **kwargs):
        from luotsi.indicators import services, storage

        self.verbosity = kwargs.pop("verbosity", 1)
        try:
            return call(progress=self.progress, **kwargs)
        except services.PublicStatisticsOffline as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except (services.IndicatorError, storage.RefreshBusy) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
