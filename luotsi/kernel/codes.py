"""Code lists shared by the operational apps, the generator and the analytics store.

Pure Python: no Django. The Django apps build their model ``choices`` from these enums and translate
the labels with ``gettext``; the labels are marked with ``_`` so that ``makemessages`` finds them.
"""

from __future__ import annotations

from enum import StrEnum


def _(text: str) -> str:
    """Mark a label for translation without translating it here (see module docstring)."""
    return text


class LabelledEnum(StrEnum):
    """A string enum whose members carry an English label (translated on the Django side)."""

    label: str

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


class LabourMarketStatus(LabelledEnum):
    """Status of a job seeker in the register; the comment gives the register's code."""

    SUBSIDISED_WORK = "subsidised_work", _("Employed in subsidised work")  # 00
    EMPLOYED_OPEN = "employed_open", _("Employed on the open labour market")  # 01
    UNEMPLOYED = "unemployed", _("Unemployed")  # 02
    LAID_OFF = "laid_off", _("Fully laid off")  # 03
    REDUCED_WEEK = "reduced_week", _("Reduced working week")  # 04
    OUTSIDE_LABOUR_FORCE = "outside_labour_force", _("Outside the labour force")  # 05
    UNEMPLOYMENT_PENSION = "unemployment_pension", _("Unemployment pension")  # 06
    IN_SERVICE = "in_service", _("In a service promoting employment")  # 07
    IN_EDUCATION = "in_education", _("In education")  # 08


REGISTER_STATUS_CODES: dict[LabourMarketStatus, str] = {
    status: f"{i:02d}" for i, status in enumerate(LabourMarketStatus)
}

#: Statuses counted as unemployed job seekers (Statistics Finland counts the fully laid off too).
UNEMPLOYED_STATUSES = frozenset({LabourMarketStatus.UNEMPLOYED, LabourMarketStatus.LAID_OFF})


class RegistrationReason(LabelledEnum):
    NEW = "new", _("New job seeker")
    REREGISTRATION = "reregistration", _("Re-registration")
    MOVED_IN = "moved_in", _("Moved in from another area")
    OTHER = "other", _("Other")


class ExitReason(LabelledEnum):
    EMPLOYED_OPEN_MARKET = "employed_open_market", _("Employed on the open labour market")
    SUBSIDISED_WORK = "subsidised_work", _("Subsidised work")
    EDUCATION = "education", _("Education")
    OTHER_SERVICE = "other_service", _("Other service")
    MOVED = "moved", _("Moved out of the area")
    OUTSIDE_LABOUR_FORCE = "outside_labour_force", _("Outside the labour force")
    UNKNOWN = "unknown", _("Unknown")


#: Exit reasons that count as employment outcomes, and their grouping for indicators.
EXIT_GROUPS: dict[ExitReason, str] = {
    ExitReason.EMPLOYED_OPEN_MARKET: "employment",
    ExitReason.SUBSIDISED_WORK: "subsidised",
    ExitReason.EDUCATION: "education",
    ExitReason.OTHER_SERVICE: "other",
    ExitReason.MOVED: "other",
    ExitReason.OUTSIDE_LABOUR_FORCE: "outside",
    ExitReason.UNKNOWN: "other",
}


class Sex(LabelledEnum):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class LanguageGroup(LabelledEnum):
    """Mother tongue group as used by Statistics Finland."""

    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    SAAMI = "se", _("Saami")
    OTHER = "other", _("Other language")


class EducationLevel(LabelledEnum):
    BASIC = "basic", _("Basic education or none")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    TERTIARY = "tertiary", _("Tertiary")
    UNKNOWN = "unknown", _("Unknown")


class ContactChannel(LabelledEnum):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    MESSAGE = "message", _("Message")


class MeetingType(LabelledEnum):
    """Meetings of the Nordic service model (pohjoismainen työvoimapalvelumalli)."""

    INITIAL_INTERVIEW = "initial_interview", _("Initial interview")
    SUPPLEMENTARY_INTERVIEW = "supplementary_interview", _("Supplementary job-seeker interview")
    JOB_SEARCH_INTERVIEW = "job_search_interview", _("Job-seeker interview")
    SERVICE_NEED_ASSESSMENT = "service_need_assessment", _("Service need assessment")
    OTHER = "other", _("Other meeting")


class MeetingCancelReason(LabelledEnum):
    CUSTOMER_CANCELLED = "customer_cancelled", _("Cancelled by the customer")
    WORKER_CANCELLED = "worker_cancelled", _("Cancelled by the worker")
    NO_SHOW = "no_show", _("Customer did not attend")


class PlanTaskKind(LabelledEnum):
    JOB_SEARCH = "job_search", _("Job search")
    OWN_ACTIVITY = "own_activity", _("Own activity")
    SERVICE = "service", _("Service")
    MEETING = "meeting", _("Meeting")


class PlanTaskStatus(LabelledEnum):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class AssessmentDimension(LabelledEnum):
    """Dimensions of the life-situation assessment (elämäntilanteen arviointi)."""

    WORK_ABILITY = "work_ability", _("Work ability and health")
    COMPETENCE = "competence", _("Competence and education")
    WORK_HISTORY = "work_history", _("Work history")
    HOUSING = "housing", _("Housing")
    FINANCES = "finances", _("Finances")
    SOCIAL_NETWORK = "social_network", _("Social network")
    LIFE_MANAGEMENT = "life_management", _("Life management")
    DIGITAL_SKILLS = "digital_skills", _("Digital skills")
    LANGUAGE = "language", _("Language skills")


#: The assessment scale: 1 = a serious obstacle to employment ... 5 = a clear strength.
ASSESSMENT_SCALE = (1, 2, 3, 4, 5)


class OrganisationType(LabelledEnum):
    EMPLOYMENT_AREA = "employment_area", _("Employment area")
    MUNICIPALITY = "municipality", _("Municipality")
    WELLBEING_COUNTY = "wellbeing_county", _("Wellbeing services county")
    KELA = "kela", _("Kela")
    NGO = "ngo", _("NGO")
    COMPANY = "company", _("Company")
    EDUCATIONAL_INSTITUTION = "educational_institution", _("Educational institution")
    OTHER = "other", _("Other")


class ReferralStatus(LabelledEnum):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    INTERRUPTED = "interrupted", _("Interrupted")
    REVOKED = "revoked", _("Revoked")


class ReferralOutcome(LabelledEnum):
    """What a completed or interrupted referral led to, as reported by the provider."""

    EMPLOYED = "employed", _("Employed")
    EDUCATION = "education", _("Education")
    NEXT_SERVICE = "next_service", _("Next service")
    NO_CHANGE = "no_change", _("No change")
    UNKNOWN = "unknown", _("Unknown")


class HandoverStatus(LabelledEnum):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
