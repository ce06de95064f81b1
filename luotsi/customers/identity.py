"""Finnish personal identity codes (henkilötunnus), validated with python-stdnum."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fi import hetu

from .errors import CaseWorkError


def normalise(code: str) -> str:
    """Validate and return the code in upper case; raise CaseWorkError saying what is wrong.

    Codes with individual numbers 900-999 (temporary and test codes, the range the synthetic
    generator uses) are accepted.
    """
    value = (code or "").strip().upper()
    try:
        return hetu.validate(value, allow_temporary=True)
    except InvalidChecksum as exc:
        raise CaseWorkError(
            _("The personal identity code %(code)s has a wrong check character.") % {"code": value},
            code="checksum",
        ) from exc
    except InvalidComponent as exc:
        raise CaseWorkError(
            _("The personal identity code %(code)s contains an impossible date.") % {"code": value},
            code="date",
        ) from exc
    except (InvalidFormat, InvalidLength) as exc:
        raise CaseWorkError(
            _("The personal identity code %(code)s is not of the form DDMMYYCZZZQ.")
            % {"code": value},
            code="format",
        ) from exc


def birth_date(code: str) -> dt.date:
    value = hetu.compact(code)
    century = {
        "+": 1800,
        "-": 1900,
        "Y": 1900,
        "X": 1900,
        "W": 1900,
        "V": 1900,
        "U": 1900,
        "A": 2000,
        "B": 2000,
        "C": 2000,
        "D": 2000,
        "E": 2000,
        "F": 2000,
    }[value[6]]
    return dt.date(century + int(value[4:6]), int(value[2:4]), int(value[0:2]))


def sex(code: str) -> str:
    return "female" if int(hetu.compact(code)[7:10]) % 2 == 0 else "male"
