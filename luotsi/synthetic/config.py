"""Configuration of the synthetic generator: what to generate, at which scale, with which effects.

Everything the generator does is a deterministic function of one :class:`SyntheticConfig`: the
same config (including ``seed``) gives byte-identical output whatever the number of worker
processes or the size of the output batches. The behavioural defaults live in
:class:`Parameters`; ``docs/synthetic.md`` gives the source or the reasoning behind each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

MONTHS = 12


class ConfigError(ValueError):
    """A synthetic configuration is inconsistent; the message names the offending field."""


def _check_months(name: str, values: tuple[float, ...]) -> None:
    if len(values) != MONTHS or any(v <= 0 for v in values):
        raise ConfigError(f"{name} needs 12 positive monthly factors (January first)")


@dataclass(frozen=True)
class PilotEffect:
    """A pilot in ``municipalities`` from ``starts_on`` to ``ends_on`` (inclusive).

    While the pilot runs, the hazard of **exit to open-market employment** of every open period in
    those municipalities is multiplied by ``hazard_ratio``; other exit hazards are unchanged.
    """

    municipalities: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date
    hazard_ratio: float
    name: str = "pilot"

    def __post_init__(self) -> None:
        object.__setattr__(self, "municipalities", tuple(sorted(set(self.municipalities))))
        if not self.municipalities:
            raise ConfigError(f"pilot {self.name!r}: municipalities is empty")
        if self.ends_on < self.starts_on:
            raise ConfigError(f"pilot {self.name!r}: ends_on is before starts_on")
        if not self.hazard_ratio > 0:
            raise ConfigError(f"pilot {self.name!r}: hazard_ratio must be positive")


@dataclass(frozen=True)
class ExperimentEffect:
    """A randomised experiment among customers who start a period from ``starts_on`` on.

    Each person whose first period in the experiment's window starts in an eligible municipality
    (``municipalities``; empty = all generated ones) is randomised once: with probability ``share``
    to the ``treatment`` arm, else to ``control``; an ``experiment.assigned`` event is written for
    both arms. From assignment on, the treatment arm's hazard of exit to open-market employment is
    multiplied by ``hazard_ratio`` and its monthly referral rate by ``take_up_ratio``.
    """

    experiment_id: int
    share: float
    starts_on: dt.date
    ends_on: dt.date | None = None
    hazard_ratio: float = 1.0
    take_up_ratio: float = 1.0
    municipalities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "municipalities", tuple(sorted(set(self.municipalities))))
        name = f"experiment {self.experiment_id}"
        if not 0 < self.share < 1:
            raise ConfigError(f"{name}: share must be strictly between 0 and 1")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ConfigError(f"{name}: ends_on is before starts_on")
        if not self.hazard_ratio > 0 or not self.take_up_ratio > 0:
            raise ConfigError(f"{name}: hazard_ratio and take_up_ratio must be positive")
        if self.experiment_id <= 0:
            raise ConfigError(f"{name}: experiment_id must be a positive integer")


@dataclass(frozen=True)
class Parameters:
    """Behavioural parameters. Each default is explained, with its source, in docs/synthetic.md."""

    # --- durations: baseline monthly exit hazard by completed months of the period -------------
    duration_bands: tuple[int, ...] = (0, 3, 6, 12, 24, 48)
    baseline_hazard: tuple[float, ...] = (0.32, 0.23, 0.145, 0.085, 0.055, 0.04)
    # multipliers of the exit hazard by group
    age_hazard: tuple[float, float, float] = (1.45, 1.0, 0.6)  # <25, 25-49, 50+
    education_hazard: tuple[float, float, float, float] = (0.8, 1.0, 1.2, 0.85)
    foreign_hazard: float = 0.8
    # share of exits that go to open-market employment, by duration band (falls with duration)
    employment_exit_share: tuple[float, ...] = (0.55, 0.5, 0.45, 0.38, 0.3, 0.25)
    # seasonality (January first): exits peak in spring and autumn; inflow in summer and Dec/Jan
    exit_season: tuple[float, ...] = (
        0.95, 1.0, 1.1, 1.15, 1.15, 0.9, 0.75, 1.1, 1.2, 1.05, 0.95, 0.8,
    )  # fmt: skip
    inflow_season: tuple[float, ...] = (
        1.2, 0.9, 0.9, 0.85, 0.95, 1.3, 1.15, 0.95, 0.85, 0.9, 0.9, 1.15,
    )  # fmt: skip
    # corrections measured on generated stocks (docs/synthetic.md): persons age between their
    # first registration and the counting day, and the month-step durations and service spells
    # shorten the measured long-term share a little
    age_correction: tuple[float, float, float] = (1.22, 1.0, 0.8)
    ltu_correction: float = 1.09
    foreign_correction: float = 1.08
    # composition at inflow where the public file has no per-municipality figure
    education_shares: tuple[float, float, float, float] = (0.28, 0.45, 0.22, 0.05)
    laid_off_share: float = 0.044  # of new periods that start fully laid off (15,545 / 352,001)
    foreign_other_language: float = 0.85  # foreign nationals whose language group is "other"
    native_other_language: float = 0.02
    # re-registration after an exit
    reregistration_probability: float = 0.55
    reregistration_mean_gap_days: float = 240.0
    # --- case work ------------------------------------------------------------------------------
    initial_interview_on_time: float = 0.85
    no_show: float = 0.06
    supplementary_held: float = 0.8
    job_search_interview_on_time: float = 0.8
    plan_agreed: float = 0.95
    contacts_per_month: float = 0.6
    assessment_interval_months: int = 6
    assessment_improvement: float = 0.25  # mean gain per repeated assessment on a 1-5 scale
    details_updated_per_year: float = 0.15
    # --- services (referrals) -------------------------------------------------------------------
    referrals_per_month: float = 0.09
    referral_first_month_max: int = 36
    consent_share: float = 0.6  # referrals to external providers that need a consent first
    referral_sent: float = 0.96
    referral_accepted: float = 0.85
    referral_rejected: float = 0.1  # rest of the sent ones are revoked by the sender
    referral_started: float = 0.9
    referral_completed: float = 0.75
    service_mean_days: float = 75.0
    # --- handovers ------------------------------------------------------------------------------
    handovers_per_year: float = 0.25
    handover_accepted: float = 0.75
    handover_declined: float = 0.12
    handover_expired: float = 0.08  # rest cancelled by the sender
    bounce_back: float = 0.1  # accepted handovers sent back to the sender (A -> B -> A)
    gap_days_mean: float = 12.0  # days nobody is responsible in an expired handover (a gap)
    # --- organisation ---------------------------------------------------------------------------
    caseload: float = 110.0  # open periods per responsible worker (FTE)
    team_size: int = 8
    urban_labour_force: int = 30_000  # municipalities with a larger labour force count as urban
    # --- engine ---------------------------------------------------------------------------------
    burn_in_years: int = 12
    persons_per_unit: int = 6_000

    def __post_init__(self) -> None:
        n = len(self.duration_bands)
        if self.duration_bands[0] != 0 or list(self.duration_bands) != sorted(
            set(self.duration_bands)
        ):
            raise ConfigError("duration_bands must start at 0 and increase")
        for name in ("baseline_hazard", "employment_exit_share"):
            values = getattr(self, name)
            if len(values) != n:
                raise ConfigError(f"{name} needs one value per duration band ({n})")
        if any(h <= 0 for h in self.baseline_hazard):
            raise ConfigError("baseline_hazard must be positive")
        if any(not 0 <= s <= 1 for s in self.employment_exit_share):
            raise ConfigError("employment_exit_share values must be within [0, 1]")
        _check_months("exit_season", self.exit_season)
        _check_months("inflow_season", self.inflow_season)
        if abs(sum(self.education_shares) - 1) > 1e-9:
            raise ConfigError("education_shares must sum to 1")
        probabilities = (
            "laid_off_share",
            "foreign_other_language",
            "native_other_language",
            "reregistration_probability",
            "initial_interview_on_time",
            "no_show",
            "supplementary_held",
            "job_search_interview_on_time",
            "plan_agreed",
            "consent_share",
            "referral_sent",
            "referral_accepted",
            "referral_started",
            "referral_completed",
            "handover_accepted",
            "bounce_back",
        )
        for name in probabilities:
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{name} is a probability and must be within [0, 1]")
        if self.referral_accepted + self.referral_rejected > 1:
            raise ConfigError("referral_accepted + referral_rejected must not exceed 1")
        if self.handover_accepted + self.handover_declined + self.handover_expired > 1:
            raise ConfigError("handover outcome shares must not exceed 1 in total")
        for name in ("caseload", "service_mean_days", "reregistration_mean_gap_days"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be positive")
        if self.persons_per_unit < 100 or self.burn_in_years < 0:
            raise ConfigError("persons_per_unit must be >= 100 and burn_in_years >= 0")


@dataclass(frozen=True)
class SyntheticConfig:
    """What to generate.

    * ``municipalities``: municipality codes of 2025 (``()`` = the whole mainland, 292
      municipalities; Åland runs its own employment services and is refused).
    * ``starts_on``/``ends_on``: the observation window (inclusive). Periods open on ``starts_on``
      are generated with their earlier history, so the stock is in steady state from day one.
    * ``scale``: share of the real June 2026 stock of unemployed job seekers to generate, or
      ``stock``: an absolute target stock over all chosen municipalities (overrides ``scale``).
    * ``seed``: the root of every random stream.
    """

    municipalities: tuple[str, ...] = ()
    starts_on: dt.date = dt.date(2025, 1, 1)
    ends_on: dt.date = dt.date(2026, 6, 30)
    scale: float = 1.0
    stock: int | None = None
    seed: int = 2025
    pilots: tuple[PilotEffect, ...] = ()
    experiments: tuple[ExperimentEffect, ...] = ()
    parameters: Parameters = field(default_factory=Parameters)

    def __post_init__(self) -> None:
        object.__setattr__(self, "municipalities", tuple(sorted(set(self.municipalities))))
        object.__setattr__(self, "pilots", tuple(self.pilots))
        object.__setattr__(self, "experiments", tuple(self.experiments))
        if self.ends_on < self.starts_on:
            raise ConfigError("ends_on is before starts_on")
        if self.starts_on < dt.date(1990, 1, 1) or self.ends_on > dt.date(2099, 12, 31):
            raise ConfigError("the window must lie within 1990-2099")
        if not self.scale > 0:
            raise ConfigError("scale must be positive")
        if self.stock is not None and self.stock <= 0:
            raise ConfigError("stock must be a positive number of persons")
        if not 0 <= self.seed < 2**63:
            raise ConfigError("seed must be a non-negative 63-bit integer")
        ids = [e.experiment_id for e in self.experiments]
        if len(ids) != len(set(ids)):
            raise ConfigError("experiment ids must be unique")
        for c in self.municipalities:
            if not (len(c) == 3 and c.isdigit()):
                raise ConfigError(f"municipality code {c!r} is not three digits")


def describe(config: SyntheticConfig) -> dict:
    """A JSON-ready description of a config (stored next to generated data as provenance)."""

    def plain(value):
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        return value

    return plain(config)
