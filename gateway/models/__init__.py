"""Canonical records: the one shape every adapter maps from and to.

Partner wire formats (Brussels BEV v1/v2, MAGDA-style career breaks) are owned by the adapters;
these models are brug's internal truth, validated once at the edge (identifiers with
python-stdnum, dates, ranges) so that mappings can be pure functions over trusted data.
"""

from gateway.models.bev import BevCourseType, BevRecord, RaisedCapReason, RecognitionStatus
from gateway.models.career_break import (
    AttestStatus,
    CareerBreakMutation,
    CareerBreakQuery,
    CareerBreakRecord,
    CareerBreakResponse,
    CareerBreakSource,
    CodeValue,
    Period,
)
from gateway.models.common import Insz, Kbo, Region, SchoolYear
from gateway.models.header import MessageHeader, Party
from gateway.models.odb import (
    CourseModule,
    CourseOutcome,
    CourseStatus,
    CourseType,
    IncentiveFlags,
    OdbCourse,
    Provider,
    Volume,
    VolumeUnit,
)
from gateway.models.parties import EducationLevel, Employer, Employment, EstablishmentUnit, Worker
from gateway.models.vok import Reduction, RuleCheck, VokDecision, VokMonth
from gateway.models.vov import PriorUse, VovRegistration
from gateway.models.vov_check import VovDecision

__all__ = [
    "AttestStatus",
    "BevCourseType",
    "BevRecord",
    "CareerBreakMutation",
    "CareerBreakQuery",
    "CareerBreakRecord",
    "CareerBreakResponse",
    "CareerBreakSource",
    "CodeValue",
    "CourseModule",
    "CourseOutcome",
    "CourseStatus",
    "CourseType",
    "EducationLevel",
    "Employer",
    "Employment",
    "EstablishmentUnit",
    "IncentiveFlags",
    "Insz",
    "Kbo",
    "MessageHeader",
    "OdbCourse",
    "Party",
    "Period",
    "PriorUse",
    "Provider",
    "RaisedCapReason",
    "RecognitionStatus",
    "Reduction",
    "Region",
    "RuleCheck",
    "SchoolYear",
    "VokDecision",
    "VokMonth",
    "Volume",
    "VolumeUnit",
    "VovDecision",
    "VovRegistration",
    "Worker",
]
