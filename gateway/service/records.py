"""What the gateway keeps of exchanged records, in the same store as its outbox and inbox.

Keeping them in the store (not in a side database) lets one unit of work hold a message's
effect, its recorded answer and its audit entry, so a crash never leaves half of it. INSZ
numbers appear in payloads only where a Flemish backend needs them; look-ups go through a keyed
hash (``subject``) so that an index never becomes a register of national numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.audit.subjects import SubjectHasher
from gateway.models import CareerBreakMutation, OdbCourse, VovRegistration
from gateway.rules import schoolyear
from gateway.store.bulk_insert import insert_rows
from gateway.store.database import Store
from gateway.store.tables import (
    CareerBreakMutationRow,
    InboundRecordRow,
    OdbCourseRow,
    core_table,
)

_INBOUND = core_table(InboundRecordRow)


@dataclass(frozen=True, slots=True)
class InboundRecord:
    partner: str
    message_id: str
    kind: str
    source_record_id: str
    record: VovRegistration
    report: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMutation:
    message_id: str
    mutation: CareerBreakMutation
    received_at: datetime


class ExchangeRecords:
    """Course catalogue, inbound records and the mutation feed, over the gateway's store."""

    def __init__(self, store: Store, subjects: SubjectHasher) -> None:
        self.store = store
        self.subjects = subjects

    # ------------------------------------------------------------------ ODB course catalogue

    def put_course(self, course: OdbCourse, *, updated_by: str, tx: Session | None = None) -> bool:
        """Insert or replace a course; True when it was new."""
        with self.store.join(tx) as session:
            row = session.get(OdbCourseRow, course.odb_number)
            payload = course.model_dump_json()
            if row is None:
                session.add(
                    OdbCourseRow(
                        odb_number=course.odb_number,
                        payload=payload,
                        updated_at=self.store.clock(),
                        updated_by=updated_by,
                    )
                )
                return True
            row.payload = payload
            row.updated_at = self.store.clock()
            row.updated_by = updated_by
            return False

    def get_course(self, odb_number: str, *, tx: Session | None = None) -> OdbCourse | None:
        """The course, or its parent course for a module number ("CE-1/M2" → "CE-1")."""
        with self.store.join(tx) as session:
            row = session.get(OdbCourseRow, odb_number)
            if row is None and "/" in odb_number:
                row = session.get(OdbCourseRow, odb_number.split("/", 1)[0])
            return None if row is None else OdbCourse.model_validate_json(row.payload)

    def get_courses(self, odb_numbers: Iterable[str]) -> dict[str, OdbCourse | None]:
        """:meth:`get_course` for many numbers in one query (a bulk batch names dozens)."""
        wanted = set(odb_numbers)
        if not wanted:
            return {}
        keys = wanted | {n.split("/", 1)[0] for n in wanted if "/" in n}
        with self.store.join(None) as session:
            rows = session.execute(
                select(OdbCourseRow.odb_number, OdbCourseRow.payload).where(
                    OdbCourseRow.odb_number.in_(sorted(keys))
                )
            ).all()
        payloads = {str(r.odb_number): str(r.payload) for r in rows}
        found: dict[str, OdbCourse | None] = {}
        for number in wanted:
            payload = payloads.get(number)
            if payload is None and "/" in number:
                payload = payloads.get(number.split("/", 1)[0])
            found[number] = None if payload is None else OdbCourse.model_validate_json(payload)
        return found

    def course_count(self) -> int:
        with self.store.join(None) as session:
            return len(session.scalars(select(OdbCourseRow.odb_number)).all())

    # ------------------------------------------------------------------ inbound records

    def add_inbound(
        self,
        *,
        partner: str,
        message_id: str,
        kind: str,
        source_record_id: str,
        record: VovRegistration,
        report: dict[str, Any],
        tx: Session,
    ) -> None:
        """Keep a record a partner handed over (the caller's inbox makes it exactly once)."""
        row = self.inbound_row(
            partner=partner,
            message_id=message_id,
            kind=kind,
            source_record_id=source_record_id,
            record=record,
            report=report,
        )
        self.insert_inbound([row], tx=tx)

    def inbound_row(
        self,
        *,
        partner: str,
        message_id: str,
        kind: str,
        source_record_id: str,
        record: VovRegistration,
        report: dict[str, Any],
    ) -> dict[str, Any]:
        """The row :meth:`insert_inbound` writes, built before the unit of work opens."""
        return {
            "partner": partner,
            "message_id": message_id,
            "kind": kind,
            "source_record_id": source_record_id,
            "subject": self.subjects.hash(record.worker.insz),
            "payload": record.model_dump_json(),
            "report": json.dumps(report, sort_keys=True),
            "received_at": self.store.clock(),
            # for the evaluation report (movers from Brussels): codes and hours only
            "school_year": schoolyear.school_year_of(record.start_date),
            "hours_carried": float(sum((p.hours for p in record.prior_use), Decimal(0))),
        }

    def insert_inbound(self, rows: list[dict[str, Any]], *, tx: Session) -> None:
        """Insert prepared rows in one statement (Core: on the path of every SubmitBevRecord)."""
        if rows:
            insert_rows(tx.connection(), _INBOUND, rows)

    def inbound_for(self, insz: str, *, limit: int = 100, offset: int = 0) -> list[InboundRecord]:
        """The worker's inbound records, newest first; ``offset`` skips the newest ones."""
        with self.store.join(None) as session:
            rows = session.scalars(
                select(InboundRecordRow)
                .where(InboundRecordRow.subject == self.subjects.hash(insz))
                .order_by(InboundRecordRow.received_at.desc(), InboundRecordRow.id.desc())
                .offset(offset)
                .limit(limit)
            ).all()
            return [_inbound(row) for row in rows]

    def inbound_total(self, insz: str) -> int:
        """How many inbound records the worker has."""
        stmt = select(func.count()).where(InboundRecordRow.subject == self.subjects.hash(insz))
        with self.store.join(None) as session:
            return int(session.scalar(stmt) or 0)

    def inbound_count(self) -> int:
        with self.store.join(None) as session:
            return len(session.scalars(select(InboundRecordRow.id)).all())

    # ------------------------------------------------------------------ mutation feed

    def add_mutations(
        self, message_id: str, mutations: Sequence[CareerBreakMutation], *, tx: Session
    ) -> int:
        """Keep new / cancelled attests; one already known (same number and status) is skipped.

        Returns how many were new. Uses a savepoint per row so that a duplicate does not undo
        the others of the same notification.
        """
        added = 0
        for mutation in mutations:
            row = CareerBreakMutationRow(
                message_id=message_id,
                attest_number=mutation.attest_number,
                status=mutation.status.value,
                subject=self.subjects.hash(mutation.record.insz),
                payload=mutation.record.model_dump_json(),
                received_at=self.store.clock(),
                **mutation_codes(mutation),
            )
            try:
                with tx.begin_nested():
                    tx.add(row)
            except IntegrityError:
                continue
            added += 1
        return added

    def mutations(self, *, limit: int = 100_000) -> list[StoredMutation]:
        """The feed in arrival order: what the proactive VOK list is built from."""
        with self.store.join(None) as session:
            rows = session.scalars(
                select(CareerBreakMutationRow).order_by(CareerBreakMutationRow.id).limit(limit)
            ).all()
            return [
                StoredMutation(
                    message_id=row.message_id,
                    mutation=CareerBreakMutation.model_validate(
                        {
                            "attest_number": row.attest_number,
                            "status": row.status,
                            "record": json.loads(row.payload),
                        }
                    ),
                    received_at=row.received_at,
                )
                for row in rows
            ]


def mutation_codes(mutation: CareerBreakMutation) -> dict[str, Any]:
    """The record's codes and period, as the evaluation report counts them (no INSZ)."""
    record = mutation.record
    return {
        "source": record.source.value,
        "category": record.category.code,
        "reduction": record.reduction.code,
        "reason": None if record.reason is None else record.reason.code,
        "period_begin": record.period.begin,
        "period_end": record.period.end,
    }


def _inbound(row: InboundRecordRow) -> InboundRecord:
    return InboundRecord(
        partner=row.partner,
        message_id=row.message_id,
        kind=row.kind,
        source_record_id=row.source_record_id,
        record=VovRegistration.model_validate_json(row.payload),
        report=json.loads(row.report),
        received_at=row.received_at,
    )
