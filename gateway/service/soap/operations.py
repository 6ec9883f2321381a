"""The four operations of ``gateway-service-v1``, keyed by their request element.

The names are the WSDL operation names, which are also what ``inbound_operations`` in
``brug.toml`` lists and what the metrics and audit log record.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gateway.service.soap.calls import OperationSpec, gw
from gateway.service.soap.lookups import lookup_odb_course
from gateway.service.soap.message_status import get_message_status
from gateway.service.soap.submissions import (
    prepare_bev_record,
    push_career_break_mutation,
    submit_bev_record,
)

SUBMIT_BEV_RECORD = "SubmitBevRecord"
LOOKUP_ODB_COURSE = "LookupOdbCourse"
PUSH_CAREER_BREAK_MUTATION = "PushCareerBreakMutation"
GET_MESSAGE_STATUS = "GetMessageStatus"

OPERATIONS: tuple[OperationSpec, ...] = (
    OperationSpec(
        SUBMIT_BEV_RECORD,
        gw("SubmitBevRecordRequest"),
        True,
        submit_bev_record,
        prepare=prepare_bev_record,
    ),
    OperationSpec(LOOKUP_ODB_COURSE, gw("LookupOdbCourseRequest"), False, lookup_odb_course),
    OperationSpec(
        PUSH_CAREER_BREAK_MUTATION,
        gw("PushCareerBreakMutationRequest"),
        True,
        push_career_break_mutation,
    ),
    OperationSpec(GET_MESSAGE_STATUS, gw("GetMessageStatusRequest"), False, get_message_status),
)

BY_REQUEST: Mapping[str, OperationSpec] = MappingProxyType({op.request: op for op in OPERATIONS})
