"""The Django side of the estimator options (:mod:`luotsi.evaluation.options`): translated
messages, one form field and one API schema property per declared option, and the rows of the
report's design section. Nothing here needs editing when an option is added."""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from . import options as opts
from .options import OPTIONS, Option, OptionError


def group_label(group: str) -> str:
    return _(opts.GROUP_LABELS.get(group, group))


def message(exc: OptionError) -> str:
    """The translated message of an :class:`OptionError`."""
    p = dict(exc.params)
    if "group" in p:
        p["estimator"] = group_label(p["group"])
    texts = {
        "shape": _(
            "Estimator options must map an estimator group to its options, e.g. "
            '{"imputation": {"leave_out": false}}.'
        ),
        "group": _("There are no options for %(group)s; estimators with options: %(known)s."),
        "not_chosen": _(
            "Options were given for %(estimator)s, but it is not among the chosen estimators."
        ),
        "option": _("%(estimator)s has no option %(option)s; its options: %(known)s."),
        "bool": _("%(estimator)s, option %(option)s: give true or false."),
        "int": _(
            "%(estimator)s, option %(option)s: give a whole number from %(minimum)s to %(maximum)s."
        ),
        "choice": _("%(estimator)s, option %(option)s: give one of %(choices)s."),
    }
    return texts[exc.code] % p


def form_field(option: Option) -> forms.Field:
    """Not required: a field left out of the posted form takes the declared default."""
    common = {
        "label": gettext_lazy(option.label),
        "help_text": gettext_lazy(option.help),
        "required": False,
        "initial": option.default,
    }
    if option.kind == "bool":
        return forms.TypedChoiceField(
            choices=[(True, gettext_lazy("yes")), (False, gettext_lazy("no"))],
            coerce=lambda v: v in (True, "True", "true", "1"),
            empty_value=None,
            **common,
        )
    if option.kind == "int":
        return forms.IntegerField(min_value=option.minimum, max_value=option.maximum, **common)
    return forms.ChoiceField(choices=[(c, c) for c in option.choices], **common)


def form_fields() -> dict[str, forms.Field]:
    """One form field per declared option, named :attr:`Option.field_name`."""
    return {o.field_name: form_field(o) for o in OPTIONS}


def from_form(cleaned: dict[str, Any], estimators: list[str]) -> dict[str, dict[str, Any]]:
    """The options mapping of the chosen estimators' groups from a form's cleaned data (a field
    left empty takes the default)."""
    out: dict[str, dict[str, Any]] = {}
    for group in opts.groups_for(estimators):
        out[group] = {}
        for o in opts.BY_GROUP[group].values():
            value = cleaned.get(o.field_name)
            out[group][o.name] = o.default if value in (None, "") else value
    return out


class _Strict(Schema):
    """Unknown groups and options are refused (422), not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _annotation(option: Option) -> Any:
    if option.kind == "choice":
        return Literal[option.choices]
    return bool if option.kind == "bool" else int


def _group_schema(group: str) -> type[Schema]:
    fields: dict[str, Any] = {}
    for o in opts.BY_GROUP[group].values():
        bounds = {"ge": o.minimum, "le": o.maximum} if o.kind == "int" else {}
        fields[o.name] = (_annotation(o), Field(o.default, description=o.help, **bounds))
    name = "".join(part.title() for part in group.split("_"))
    return create_model(f"{name}Options", __base__=_Strict, **fields)


def api_schema() -> type[Schema]:
    """``EstimatorOptions``: one optional object per group, one typed property per option (so
    the OpenAPI schema documents them); values left out get the declared defaults."""
    fields = {
        g: (_group_schema(g) | None, Field(None, description=opts.GROUP_LABELS[g]))
        for g in opts.BY_GROUP
    }
    return create_model("EstimatorOptions", __base__=_Strict, **fields)


def from_api(payload: Any) -> dict[str, dict[str, Any]]:
    """The options given in the API payload (groups left out are omitted)."""
    if payload is None:
        return {}
    data = payload if isinstance(payload, dict) else payload.dict()
    return {g: dict(v) for g, v in data.items() if v is not None}


def _shown(option: Option, value: Any) -> str:
    if option.kind == "bool":
        return _("yes") if value else _("no")
    return str(value)


def describe(stored: dict | None, estimators: list[str]) -> list[dict[str, str]]:
    """Rows (label, value) of every option of the chosen estimators for the report (values
    missing from an older design are the defaults, which that design used)."""
    groups = opts.groups_for(estimators)
    return [
        {"label": _(o.label), "value": _shown(o, opts.value(stored, o.group, o.name))}
        for o in OPTIONS
        if o.group in groups
    ]
