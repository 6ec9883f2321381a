"""The store's tables as typed SQLAlchemy 2 ORM classes.

The migrations in ``migrations/versions`` are the source of truth for the schema; these classes
mirror them for queries. ``tests/store/test_migrations.py`` checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: Hours as the evaluation report sums them: exact numeric on PostgreSQL, read back as float.
Hours = Numeric(8, 2, asdecimal=False)

OUTBOX_STATUSES = ("pending", "in_flight", "delivered", "dead")
INBOX_STATUSES = ("received", "answered")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on both backends.

    SQLite keeps no offset, so values are stored as naive UTC there and tagged UTC on the way
    back; PostgreSQL uses ``timestamptz``. Naive values are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UtcDateTime needs an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def core_table(mapped: type[Base]) -> Table:
    """The Core ``Table`` of a mapped class, for statements on the hot path.

    Statements on the table skip the ORM's unit-of-work and bulk-persistence layers, which cost
    several times the SQL itself on a per-message path (inbox, replay cache, audit, records).
    """
    return cast(Table, mapped.__table__)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("partner", "message_id", name="uq_outbox_partner_message"),
        CheckConstraint(
            "status IN ('pending', 'in_flight', 'delivered', 'dead')", name="ck_outbox_status"
        ),
        Index("ix_outbox_claim", "status", "next_attempt_at"),
        Index("ix_outbox_lease", "status", "lease_expires_at"),
        Index("ix_outbox_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(255))
    partner: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(255))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_answer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    correlation_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Who queued the message (migration 0003): the REST client id for submissions, NULL for rows
    # queued before 0003 or by code that does not say. ``GET /v1/messages/{id}`` shows a message
    # only to its origin (and to ``outbox:admin``).
    origin: Mapped[str | None] = mapped_column(String(100), nullable=True)


class InboxRow(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("partner", "message_id", name="uq_inbox_partner_message"),
        CheckConstraint("status IN ('received', 'answered')", name="ck_inbox_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(255))
    request_digest: Mapped[str] = mapped_column(String(64))
    answer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ReplayRow(Base):
    __tablename__ = "replay_cache"
    __table_args__ = (Index("ix_replay_expires", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntryRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="ck_audit_direction"),
        Index("ix_audit_recorded_at", "recorded_at"),
    )

    # Assigned from the chain head under its lock, never by the database: a gap means deletion.
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    partner: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(3))
    message_id: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    signature_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: a delivery attempt's WS-Security Timestamp (wsu:Created); migration 0004
    sent_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single row every append locks: it serializes the chain across processes."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    entry_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


# --------------------------------------------------------------------------- exchange records
# What the gateway keeps of the records it exchanges (migration 0002): the ODB course catalogue
# Flemish backends maintain, BEV records Brussels hands over (mapped to the canonical VOV form
# for Flemish backends) and the federal career-break mutation feed the proactive VOK list reads.


class OdbCourseRow(Base):
    __tablename__ = "odb_course"

    odb_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical OdbCourse JSON
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class InboundRecordRow(Base):
    __tablename__ = "inbound_record"
    __table_args__ = (
        UniqueConstraint("partner", "message_id", name="uq_inbound_partner_message"),
        Index("ix_inbound_subject", "subject"),
        Index("ix_inbound_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(50))
    source_record_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))  # keyed hash of the INSZ, for look-ups
    payload: Mapped[str] = mapped_column(Text)  # canonical record JSON (the backend needs it)
    report: Mapped[str] = mapped_column(Text)  # mapping report JSON
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the course's school year and the hours already used this year (migration 0005, for
    #: the evaluation report: movers from Brussels and the hours they carry)
    school_year: Mapped[str | None] = mapped_column(String(9), nullable=True)
    hours_carried: Mapped[float | None] = mapped_column(Hours, nullable=True)


class CareerBreakMutationRow(Base):
    __tablename__ = "career_break_mutation"
    __table_args__ = (
        UniqueConstraint("attest_number", "status", name="uq_mutation_attest_status"),
        CheckConstraint("status IN ('new', 'cancelled')", name="ck_mutation_status"),
        Index("ix_mutation_subject", "subject"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(255))
    attest_number: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical CareerBreakRecord JSON
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The record's codes and period as columns (migration 0005): the evaluation report counts
    # by them in SQL. Codes only: the INSZ and dossier number stay in the payload.
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    category: Mapped[str | None] = mapped_column(String(2), nullable=True)
    reduction: Mapped[str | None] = mapped_column(String(2), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(2), nullable=True)
    period_begin: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)


INTAKE_OUTCOMES = ("routed", "not-brussels", "refused")


class IntakeFactRow(Base):
    """What the evaluation report counts of one VOV registration decided at intake.

    Codes, hours and the outbox message id only: no INSZ, no name, no dossier number
    (migration 0005; ``docs/evaluation.md``).
    """

    __tablename__ = "intake_fact"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('routed', 'not-brussels', 'refused')", name="ck_intake_fact_outcome"
        ),
        Index("ix_intake_fact_year", "school_year", "outcome"),
        Index("ix_intake_fact_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    school_year: Mapped[str] = mapped_column(String(9))
    start_month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # YYYY-MM
    channel: Mapped[str] = mapped_column(String(8))  # single | bulk
    outcome: Mapped[str] = mapped_column(String(16))  # routed | not-brussels | refused
    rule: Mapped[str | None] = mapped_column(String(100), nullable=True)
    unit_region: Mapped[str | None] = mapped_column(String(20), nullable=True)
    course_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    contact_hours: Mapped[float | None] = mapped_column(Hours, nullable=True)
    hours_cap: Mapped[float | None] = mapped_column(Hours, nullable=True)
    hours_claimable: Mapped[float | None] = mapped_column(Hours, nullable=True)
    prior_region: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hours_carried: Mapped[float | None] = mapped_column(Hours, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
