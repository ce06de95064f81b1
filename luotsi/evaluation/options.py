"""Estimator options an evaluation can set, declared once (no Django here).

Every option is one :class:`Option` in :data:`OPTIONS`: the estimator group it belongs to, its
name, default, allowed values and label. The evaluation stores the options as a mapping
``{group: {name: value}}`` (``Evaluation.estimator_options``, the API's ``estimator_options``);
:func:`normalise` checks a mapping against the declarations and fills in the defaults of every
chosen estimator's group, so the stored design (and the run's snapshot of it) says every value
the estimators used and a re-run is reproducible even if a default changes later. The form makes
one field per option, the API schema one typed property per option, the report lists them in its
design section. An option with ``keyword=True`` is passed unchanged as a keyword argument of the
``luotsi.stats`` function of its group (:meth:`Settings.keywords` in ``estimators``), so adding
such an option to an estimator is one line here.

Groups: ``cs`` (all three Callaway-Sant'Anna methods), ``imputation``, ``wild``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks ``message`` for translation (``makemessages`` knows the name) without Django."""
    return message


@dataclass(frozen=True, slots=True)
class Option:
    group: str
    name: str
    default: bool | int | str
    label: str
    help: str = ""
    choices: tuple[str, ...] = ()  # allowed values of a choice option
    minimum: int | None = None  # bounds of an integer option
    maximum: int | None = None
    keyword: bool = True  # passed as is to the luotsi.stats function of the group

    @property
    def kind(self) -> str:
        if self.choices:
            return "choice"
        return "bool" if isinstance(self.default, bool) else "int"

    @property
    def field_name(self) -> str:
        """The form field of this option."""
        return f"opt_{self.group}_{self.name}"


#: Which estimator keys each option group applies to.
GROUPS: dict[str, tuple[str, ...]] = {
    "cs": ("cs_dr", "cs_reg", "cs_ipw"),
    "imputation": ("imputation",),
    "wild": ("wild",),
}

#: Names of the groups in messages and in the report (translated on the Django side).
GROUP_LABELS: dict[str, str] = {
    "cs": gettext_noop("Callaway-Sant'Anna"),
    "imputation": gettext_noop("Imputation (Borusyak-Jaravel-Spiess)"),
    "wild": gettext_noop("Wild cluster bootstrap"),
}

OPTIONS: tuple[Option, ...] = (
    Option(
        "cs",
        "base_period",
        "varying",
        gettext_noop("Callaway-Sant'Anna: base period"),
        gettext_noop(
            "varying: each pre-treatment effect against the month before it (as R's did); "
            "universal: every event time against the month before treatment."
        ),
        choices=("varying", "universal"),
    ),
    Option(
        "cs",
        "multiplier",
        "mammen",
        gettext_noop("Callaway-Sant'Anna: bootstrap multipliers"),
        gettext_noop("Weights of the multiplier bootstrap: Mammen or Rademacher."),
        choices=("mammen", "rademacher"),
    ),
    Option(
        "imputation",
        "leave_out",
        True,
        gettext_noop("Imputation: leave-cluster-out variance"),
        gettext_noop(
            "On: the treated effects are averaged without the cluster's own (Borusyak, Jaravel "
            "and Spiess, appendix A.9), which keeps the standard errors from being too small "
            "when cohorts have few clusters. Off: the inclusive average of Stata did_imputation "
            "and R didimputation."
        ),
    ),
    Option(
        "cs",
        "small_sample",
        False,
        gettext_noop("Callaway-Sant'Anna: few-clusters correction"),
        gettext_noop(
            "On: variance times G/(G-1) and t(G-1) intervals and p-values, G = the number of "
            "clusters (the CR1 convention of Stata and fixest; Cameron and Miller 2015). Off: "
            "asymptotic normal inference as R's did."
        ),
    ),
    Option(
        "imputation",
        "small_sample",
        False,
        gettext_noop("Imputation: few-clusters correction"),
        gettext_noop(
            "On: variance times G/(G-1) and t(G-1) intervals and p-values, G = the number of "
            "clusters. Off: asymptotic normal inference as diff-diff."
        ),
    ),
    Option(
        "imputation",
        "leads",
        0,
        gettext_noop("Imputation: pre-trend leads"),
        gettext_noop(
            "Months before treatment tested for pre-trends (Borusyak, Jaravel and Spiess, "
            "test 1); 0 = no pre-trends test for imputation."
        ),
        minimum=0,
        maximum=24,
    ),
    Option(
        "wild",
        "weights",
        "auto",
        gettext_noop("Wild bootstrap: weights"),
        gettext_noop("auto: Webb's six-point weights below 12 clusters, else Rademacher."),
        choices=("auto", "rademacher", "webb"),
        keyword=False,
    ),
)

BY_GROUP: dict[str, dict[str, Option]] = {}
for _option in OPTIONS:
    BY_GROUP.setdefault(_option.group, {})[_option.name] = _option


class OptionError(ValueError):
    """An estimator option that does not fit the declarations; ``code`` and ``params`` let the
    Django side give a translated message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(f"{code}: {params}")


def group_of(estimator: str) -> str | None:
    return next((g for g, keys in GROUPS.items() if estimator in keys), None)


def groups_for(estimators: Iterable[str]) -> list[str]:
    """The option groups of the chosen estimators, in declaration order."""
    chosen = {group_of(e) for e in estimators}
    return [g for g in BY_GROUP if g in chosen]


def defaults(estimators: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {g: {o.name: o.default for o in BY_GROUP[g].values()} for g in groups_for(estimators)}


def _value(option: Option, value: Any) -> Any:
    if option.kind == "bool":
        if not isinstance(value, bool):
            raise OptionError("bool", group=option.group, option=option.name)
        return value
    if option.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        low = option.minimum if option.minimum is not None else value
        high = option.maximum if option.maximum is not None else value
        if not ok or not low <= value <= high:
            raise OptionError(
                "int",
                group=option.group,
                option=option.name,
                minimum=option.minimum,
                maximum=option.maximum,
            )
        return value
    if value not in option.choices:
        raise OptionError(
            "choice", group=option.group, option=option.name, choices=", ".join(option.choices)
        )
    return value


def normalise(given: Any, estimators: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``given`` checked against :data:`OPTIONS` with the defaults of the chosen estimators'
    groups filled in; raises :class:`OptionError` for an unknown group or option, a group of an
    estimator that is not chosen, or a value of the wrong type or out of range."""
    estimators = list(estimators)
    if given is None:
        given = {}
    if not isinstance(given, Mapping) or any(not isinstance(v, Mapping) for v in given.values()):
        raise OptionError("shape")
    wanted = groups_for(estimators)
    out = defaults(estimators)
    for group, values in given.items():
        if group not in BY_GROUP:
            raise OptionError("group", group=group, known=", ".join(BY_GROUP))
        if group not in wanted:
            raise OptionError("not_chosen", group=group)
        for name, value in values.items():
            option = BY_GROUP[group].get(name)
            if option is None:
                raise OptionError(
                    "option", group=group, option=name, known=", ".join(BY_GROUP[group])
                )
            out[group][name] = _value(option, value)
    return out


def value(options: Mapping[str, Mapping[str, Any]] | None, group: str, name: str) -> Any:
    """The stored value, or the declared default (designs stored before the option existed)."""
    stored = (options or {}).get(group) or {}
    return stored.get(name, BY_GROUP[group][name].default)


def keywords(options: Mapping[str, Mapping[str, Any]] | None, group: str) -> dict[str, Any]:
    """The keyword arguments of the group's ``luotsi.stats`` function."""
    return {
        o.name: value(options, group, o.name) for o in BY_GROUP.get(group, {}).values() if o.keyword
    }
