"""The evaluation report's figures, aggregated in SQL (SQLAlchemy Core, the same on both backends).

Every figure is a ``GROUP BY`` over one table (or a join on the outbox message id); Python only
arranges the few hundred aggregated rows into tables and adds totals. Definitions:

* **registrations** (``intake_fact``): the course's school year (the year it starts in); months
  are the month the course starts ("unknown" for a line that could not be read);
* **BEV transfers**: the registrations routed to Brussels, with the status of their outbox entry;
* **career breaks** (``career_break_mutation``): the attests whose period overlaps the school
  year; months are the month received. "Training time credit" is an RVA attest whose category
  the federal code table calls time credit and whose reason it calls training (the table is
  configurable and marked unconfirmed until the RVA confirms it);
* **exchange health** (``outbox``): entries queued during the school year, per partner.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Float, and_, case, cast, func, literal, or_, select

from adapters.federal.codes import CodeTable
from gateway.models import Region
from gateway.report.model import Report, Row, Table
from gateway.report.sqlfunctions import month_of, seconds
from gateway.rules import schoolyear
from gateway.store.database import Store
from gateway.store.tables import (
    CareerBreakMutationRow,
    InboundRecordRow,
    IntakeFactRow,
    OutboxRow,
    core_table,
)

FACT = core_table(IntakeFactRow)
OUTBOX = core_table(OutboxRow)
MUTATION = core_table(CareerBreakMutationRow)
INBOUND = core_table(InboundRecordRow)

OUTCOME_COLUMNS = {"routed": "routed", "not-brussels": "notBrussels", "refused": "refused"}
REGIONS = tuple(r.value for r in Region)
#: Upper bounds (hours) of the claimable-hours histogram; the last bin is open.
HOUR_BINS = (0, 20, 40, 60, 80, 100, 120, 140, 160, 180)
#: Upper bounds (seconds) of the delivery-latency histogram the percentiles are read from.
LATENCY_BOUNDS = (
    0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400, 172800,
)  # fmt: skip
PERCENTILES = (50, 90, 99)
BRUSSELS = "brussels"


def _window(school_year: str) -> tuple[datetime, datetime]:
    first, last = schoolyear.bounds(school_year)
    start = datetime.combine(first, time(), tzinfo=UTC)
    return start, datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)


def _pivot(rows: Iterable[Any], columns: dict[str, str], order: Iterable[str] = ()) -> list[Row]:
    """(label, column value, count) rows → one :class:`Row` per label, labels in ``order`` first
    (shown even when empty), then the others sorted."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for label, column, n in rows:
        name = columns.get(column, column)
        key = "unknown" if label is None else str(label)
        counts[key][name] = counts[key].get(name, 0) + int(n)
    labels = [*order, *sorted(k for k in counts if k not in set(order))]
    return [
        Row(label, {c: counts.get(label, {}).get(c, 0) for c in columns.values()})
        for label in labels
    ]


# ------------------------------------------------------------------------- registrations


def registrations(conn: Connection, year: str) -> tuple[list[Table], Any]:
    """The registration tables, and when the first registration was counted.

    One scan: ``GROUP BY`` region, outcome, rule and start month (a few thousand groups at
    most); each table adds up the groups it needs."""
    groups = conn.execute(
        select(
            FACT.c.unit_region,
            FACT.c.outcome,
            FACT.c.rule,
            FACT.c.start_month,
            func.count(),
            func.min(FACT.c.received_at),
        )
        .where(FACT.c.school_year == year)
        .group_by(FACT.c.unit_region, FACT.c.outcome, FACT.c.rule, FACT.c.start_month)
    ).all()
    region_counts: dict[tuple[Any, str], int] = defaultdict(int)
    rule_counts: dict[str, int] = defaultdict(int)
    month_counts: dict[tuple[Any, str], int] = defaultdict(int)
    firsts = []
    for region, outcome, rule, month, n, first in groups:
        region_counts[(region, outcome)] += int(n)
        month_counts[(month, outcome)] += int(n)
        if outcome == "refused":
            rule_counts[str(rule)] += int(n)
        firsts.append(first)
    by_region = [(r, o, n) for (r, o), n in region_counts.items()]
    by_month = [(m, o, n) for (m, o), n in month_counts.items()]
    by_rule = list(rule_counts.items())
    first_counted = min(firsts) if firsts else None
    section = "VOV registrations"
    return [
        Table(
            key="registrationsByRegion",
            title="VOV registrations received, by region of the establishment unit",
            section=section,
            row_label="region",
            columns=tuple(OUTCOME_COLUMNS.values()),
            rows=_pivot(by_region, OUTCOME_COLUMNS, REGIONS),
            total_column=True,
            note="routed: mapped and queued for Brussels; notBrussels: the unit is not in "
            "Brussels, the record stays in its own scheme (route.not-brussels); refused: "
            "another rule broken (first rule in the next table)",
        ),
        Table(
            key="refusalsByRule",
            title="Refused registrations, by the first rule broken",
            section=section,
            row_label="rule",
            columns=("count",),
            rows=sorted(
                (Row(str(rule), {"count": int(n)}) for rule, n in by_rule),
                key=lambda r: (-r.counts["count"], r.label),
            ),
            note="rules are documented in docs/problems.md",
        ),
        Table(
            key="registrationsByMonth",
            title="VOV registrations per month the course starts",
            section=section,
            row_label="month",
            columns=tuple(OUTCOME_COLUMNS.values()),
            rows=_pivot(by_month, OUTCOME_COLUMNS),
            total_column=True,
        ),
    ], first_counted


# ------------------------------------------------------------------------- BEV transfers


def _real(column: Any) -> Any:
    """Hours as floating point for comparisons: numeric arithmetic over a million rows is
    several times slower on PostgreSQL, and bins need no exact decimals."""
    return cast(column, Float)


def _bucket(value: Any, bounds: Sequence[float], labels: Sequence[Any]) -> Any:
    """``labels[i]`` for the first ``bounds[i]`` with ``value <= bounds[i]``, else the last
    label, as nested CASEs that halve the bounds each time: about log2(n) comparisons per row
    instead of up to n (the value is an expression PostgreSQL evaluates per comparison)."""
    if not bounds:
        return literal(labels[0])
    middle = (len(bounds) - 1) // 2
    return case(
        (
            value <= bounds[middle],
            _bucket(value, bounds[:middle], labels[: middle + 1]),
        ),
        else_=_bucket(value, bounds[middle + 1 :], labels[middle + 1 :]),
    )


def _hour_bin(column: Any) -> Any:
    labels = ["0", *(f"{a}-{b}" for a, b in itertools.pairwise(HOUR_BINS)), f">{HOUR_BINS[-1]}"]
    return _bucket(column, HOUR_BINS, labels)


def _cap_share(claimable: Any, cap: Any) -> Any:
    return case(
        (or_(cap.is_(None), cap <= 0), literal("no cap")),
        (claimable <= 0, literal("0 %")),
        (claimable * 4 <= cap, literal("up to 25 %")),
        (claimable * 2 <= cap, literal("25-50 %")),
        (claimable * 4 <= cap * 3, literal("50-75 %")),
        (claimable < cap, literal("75-100 %")),
        else_=literal("at the cap"),
    )


CAP_SHARES = ("0 %", "up to 25 %", "25-50 %", "50-75 %", "75-100 %", "at the cap")
TRANSFER_STATUS = {
    "delivered": "delivered",
    "pending": "pending",
    "in_flight": "pending",
    "dead": "dead",
}


def transfers(conn: Connection, year: str) -> tuple[list[Table], dict[str, list[float]]]:
    """BEV transfers and movers to Brussels: one pass over the routed registrations joined to
    their outbox entries, ``GROUP BY`` status, course type, hours bin, share of the cap and
    the region of prior use (at most a few thousand groups)."""
    routed = and_(FACT.c.school_year == year, FACT.c.outcome == "routed")
    joined = FACT.outerjoin(
        OUTBOX, and_(OUTBOX.c.message_id == FACT.c.message_id, OUTBOX.c.partner == BRUSSELS)
    )
    hour_bin = _hour_bin(_real(FACT.c.hours_claimable)).label("hours")
    share = _cap_share(_real(FACT.c.hours_claimable), _real(FACT.c.hours_cap)).label("share")
    groups = conn.execute(
        select(
            OUTBOX.c.status,
            FACT.c.course_type,
            hour_bin,
            share,
            FACT.c.prior_region,
            func.count(),
            func.sum(FACT.c.contact_hours),
            func.sum(FACT.c.hours_claimable),
            func.sum(FACT.c.hours_carried),
        )
        .select_from(joined)
        .where(routed)
        .group_by(OUTBOX.c.status, FACT.c.course_type, hour_bin, share, FACT.c.prior_region)
    ).all()
    status_counts: dict[str, int] = defaultdict(int)
    types: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    by_hours: dict[str, int] = defaultdict(int)
    by_share: dict[str, int] = defaultdict(int)
    outward: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for status, kind, hours_label, share_label, prior, n, contact, claimable, carried in groups:
        status_counts[TRANSFER_STATUS.get(status, "notInOutbox")] += int(n)
        entry = types[str(kind)]
        entry[0] += int(n)
        entry[1] += float(contact or 0)
        entry[2] += float(claimable or 0)
        by_hours[str(hours_label)] += int(n)
        by_share[str(share_label)] += int(n)
        if prior is not None:
            outward[str(prior)][0] += int(n)
            outward[str(prior)][1] += float(carried or 0)
    hour_labels = ["0", *(f"{a}-{b}" for a, b in itertools.pairwise(HOUR_BINS))]
    hour_labels.append(f">{HOUR_BINS[-1]}")
    section = "BEV transfers (routed to Brussels)"
    return [
        Table(
            key="transfersByStatus",
            title="BEV transfers by delivery status",
            section=section,
            row_label="status",
            columns=("count",),
            rows=[
                Row(s, {"count": status_counts.get(s, 0)})
                for s in ("delivered", "pending", "dead", "notInOutbox")
            ],
            note="pending includes entries being delivered; notInOutbox: purged by an operator",
        ),
        Table(
            key="transfersByCourseType",
            title="BEV transfers by Brussels course type, with hours",
            section=section,
            row_label="courseType",
            columns=("count",),
            rows=[
                Row(kind, {"count": int(n)}, {"contactHours": hours, "hoursClaimable": claimable})
                for kind, (n, hours, claimable) in sorted(types.items())
            ],
            measures=("contactHours", "hoursClaimable"),
        ),
        Table(
            key="hoursClaimable",
            title="Hours claimable per transfer (distribution)",
            section=section,
            row_label="hours",
            columns=("count",),
            rows=[Row(label, {"count": int(by_hours.get(label, 0))}) for label in hour_labels],
            note="hours the BEV record lets the employer claim: the contact hours, within the "
            "Brussels cap for the course type less the hours already used this school year",
        ),
        Table(
            key="hoursAgainstCap",
            title="Hours claimable as a share of the Brussels cap",
            section=section,
            row_label="shareOfCap",
            columns=("count",),
            rows=[
                Row(label, {"count": int(by_share.get(label, 0))})
                for label in (*CAP_SHARES, *(["no cap"] if "no cap" in by_share else []))
            ],
        ),
    ], outward


def movers(conn: Connection, year: str, outward: dict[str, list[float]]) -> list[Table]:
    """``outward``: region of prior use → [count, hours carried], from :func:`transfers`."""
    inward = conn.execute(
        select(func.count(), func.sum(INBOUND.c.hours_carried)).where(
            INBOUND.c.school_year == year,
            INBOUND.c.partner == BRUSSELS,
            INBOUND.c.hours_carried > 0,
        )
    ).one()
    rows = [
        Row(f"{region} → brussels", {"count": int(n)}, {"hoursCarried": hours})
        for region, (n, hours) in sorted(outward.items())
    ]
    rows.append(
        Row("brussels → flanders", {"count": int(inward[0])}, {"hoursCarried": _float(inward[1])})
    )
    return [
        Table(
            key="movers",
            title="Workers moving between regions, with the hours they carry over",
            section="Movers between regions",
            row_label="direction",
            columns=("count",),
            rows=rows,
            measures=("hoursCarried",),
            note="→ brussels: registrations routed to Brussels that carry hours already used "
            "this school year in another region; brussels → flanders: BEV records Brussels "
            "handed over with hours already used",
        )
    ]


# ------------------------------------------------------------------------- career breaks


def _mutations_in(year: str) -> Any:
    first, last = schoolyear.bounds(year)
    return and_(
        MUTATION.c.period_begin <= last,
        or_(MUTATION.c.period_end.is_(None), MUTATION.c.period_end >= first),
    )


def _training(codes: CodeTable) -> Any:
    time_credit = [k for k, v in codes.categories.items() if v.kind == "time-credit"]
    training = [k for k, v in codes.reasons.items() if v.training]
    return and_(
        MUTATION.c.source == "RVA",
        MUTATION.c.category.in_(time_credit),
        MUTATION.c.reason.in_(training),
    )


def _coded(rows: list[Row], describe: dict[str, str]) -> list[Row]:
    for row in rows:
        if row.label in describe:
            row.label = f"{row.label} {describe[row.label]}"
    return rows


def career_breaks(conn: Connection, year: str, codes: CodeTable) -> list[Table]:
    in_year = _mutations_in(year)
    status_columns = {"new": "new", "cancelled": "cancelled"}
    tables: list[Table] = []
    section = "Career breaks (federal time credit)"
    kinds = {
        "category": ({k: f"({v.kind})" for k, v in codes.categories.items()}, "category"),
        "reduction": (
            {k: f"({v.reduction or 'not a VOK reduction'})" for k, v in codes.reductions.items()},
            "reduction",
        ),
        "reason": (
            {k: "(training)" if v.training else "(other)" for k, v in codes.reasons.items()},
            "motive",
        ),
    }
    for column_name, (describe, title) in kinds.items():
        column = MUTATION.c[column_name]
        found = conn.execute(
            select(column, MUTATION.c.status, func.count())
            .where(in_year)
            .group_by(column, MUTATION.c.status)
        ).all()
        tables.append(
            Table(
                key=f"careerBreaksBy{title.capitalize()}",
                title=f"Career-break mutations received, by {title} code",
                section=section,
                row_label=title,
                columns=tuple(status_columns.values()),
                rows=_coded(_pivot(found, status_columns), describe),
                total_column=True,
                note="attests whose period overlaps the school year; codes as the federal code "
                f"table {codes.version} reads them" + _code_table_status(codes, " "),
            )
        )
    training = _training(codes)
    time_credit = MUTATION.c.category.in_(
        [k for k, v in codes.categories.items() if v.kind == "time-credit"]
    )
    kind = case(
        (training, literal("trainingMotive")),
        (time_credit, literal("otherMotive")),
        else_=literal("otherCareerBreak"),
    )
    month = month_of(MUTATION.c.received_at)
    by_month = conn.execute(
        select(month, kind, func.count())
        .where(in_year, MUTATION.c.status == "new")
        .group_by(month, kind)
    ).all()
    month_columns = {
        "trainingMotive": "trainingMotive",
        "otherMotive": "otherMotive",
        "otherCareerBreak": "otherCareerBreak",
    }
    tables.append(
        Table(
            key="careerBreaksByMonth",
            title="New career-break attests per month received",
            section=section,
            row_label="month",
            columns=tuple(month_columns.values()),
            rows=_pivot(by_month, month_columns),
            total_column=True,
            note="trainingMotive: RVA time credit with a training motive; otherMotive: time "
            "credit with another motive; otherCareerBreak: other categories",
        )
    )
    tables.extend(_vok(conn, in_year, training, time_credit))
    return tables


def _vok(conn: Connection, in_year: Any, training: Any, time_credit: Any) -> list[Table]:
    # attests cancelled since: an outer join on their numbers (an EXISTS inside a CASE would
    # be a sub-plan per row on PostgreSQL)
    cancelled = (
        select(MUTATION.c.attest_number.label("number"))
        .where(MUTATION.c.status == "cancelled")
        .distinct()
        .subquery("cancelled")
    )
    joined = MUTATION.outerjoin(cancelled, cancelled.c.number == MUTATION.c.attest_number)
    was_cancelled = cancelled.c.number.is_not(None)
    new_training = and_(in_year, training, MUTATION.c.status == "new")
    live_flag = case((was_cancelled, literal("cancelled")), else_=literal("live"))
    attests: dict[str, int] = dict(
        conn.execute(
            select(live_flag, func.count())
            .select_from(joined)
            .where(new_training)
            .group_by(live_flag)
        ).all()
    )
    first_seen = (
        select(MUTATION.c.subject, func.min(MUTATION.c.received_at).label("first"))
        .select_from(joined)
        .where(new_training, ~was_cancelled)
        .group_by(MUTATION.c.subject)
        .subquery()
    )
    month = month_of(first_seen.c.first)
    by_month = conn.execute(select(month, func.count()).group_by(month).order_by(month)).all()
    time_credit_new = conn.execute(
        select(func.count()).where(in_year, time_credit, MUTATION.c.status == "new")
    ).scalar_one()
    candidates = sum(int(n) for _m, n in by_month)
    section = "VOK: training time credit and candidates"
    return [
        Table(
            key="vokComparison",
            title="Time credit with a training motive beside the VOK candidates found",
            section=section,
            row_label="figure",
            columns=("count",),
            rows=[
                Row("time-credit attests (any motive)", {"count": int(time_credit_new)}),
                Row(
                    "with a training motive",
                    {"count": int(attests.get("live", 0)) + int(attests.get("cancelled", 0))},
                ),
                Row("with a training motive, still live", {"count": int(attests.get("live", 0))}),
                Row("VOK candidates found (workers)", {"count": candidates}),
            ],
            total_row=False,
            note="the comparison the SERV advice asks for, for attests whose period overlaps "
            "the school year (the proactive VOK list, without a period, lists every school "
            "year's). Contacted and granted are decided by WSE after the proactive list and are "
            "not known to the gateway: not counted",
        ),
        Table(
            key="trainingTimeCredit",
            title="RVA time-credit attests with a training motive",
            section=section,
            row_label="attests",
            columns=("count",),
            rows=[
                Row("live", {"count": int(attests.get("live", 0))}),
                Row("cancelled since", {"count": int(attests.get("cancelled", 0))}),
            ],
            note="the total is every new training attest received whose period overlaps the "
            "school year",
        ),
        Table(
            key="vokCandidatesByMonth",
            title="VOK candidates found (workers with live training time credit), by month "
            "first seen",
            section=section,
            row_label="month",
            columns=("count",),
            rows=[Row(str(m), {"count": int(n)}) for m, n in by_month],
            note="a candidate is a worker (counted once) with a live RVA training time-credit "
            "attest; whether they were contacted or granted VOK is decided by WSE and not "
            "known to the gateway",
        ),
    ]


# ------------------------------------------------------------------------- exchange health

DEAD_REASONS = (
    ("refused by partner%", "refusedByPartner"),
    ("gave up after%", "attemptsExhausted"),
    ("age limit%", "ageLimit"),
)


def exchange(conn: Connection, year: str) -> list[Table]:
    start, end = _window(year)
    in_window = and_(OUTBOX.c.created_at >= start, OUTBOX.c.created_at < end)
    # One pass over the outbox: GROUP BY partner, status, retried or not, latency bucket
    # (delivered entries) and dead-letter reason (dead ones); a few hundred groups at most.
    status = case((OUTBOX.c.status == "in_flight", literal("pending")), else_=OUTBOX.c.status)
    latency = seconds(OUTBOX.c.created_at, OUTBOX.c.delivered_at)
    bucket = case(
        (or_(OUTBOX.c.status != "delivered", OUTBOX.c.delivered_at.is_(None)), literal(-1)),
        else_=_bucket(latency, LATENCY_BOUNDS, range(len(LATENCY_BOUNDS) + 1)),
    )
    reason = case(
        (OUTBOX.c.status != "dead", literal("")),
        *((OUTBOX.c.last_error.like(pattern), literal(name)) for pattern, name in DEAD_REASONS),
        else_=literal("other"),
    )
    retried = case((OUTBOX.c.attempts > 1, literal(1)), else_=literal(0))
    groups = conn.execute(
        select(OUTBOX.c.partner, status, retried, bucket, reason, func.count())
        .where(in_window)
        .group_by(OUTBOX.c.partner, status, retried, bucket, reason)
    ).all()
    status_counts: dict[tuple[str, str], int] = defaultdict(int)
    retried_counts: dict[str, int] = defaultdict(int)
    histogram: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    dead_counts: dict[tuple[str, str], int] = defaultdict(int)
    for partner, state, was_retried, index, why, n in groups:
        name = str(partner)
        status_counts[(name, str(state))] += int(n)
        retried_counts[name] += int(n) if was_retried else 0
        if int(index) >= 0:
            histogram[name][int(index)] += int(n)
        if why:
            dead_counts[(name, str(why))] += int(n)
    health = _pivot(
        [(p, st, n) for (p, st), n in status_counts.items()],
        {"delivered": "delivered", "pending": "pending", "dead": "dead"},
    )
    for row in health:
        row.measures["entriesRetried"] = float(retried_counts.get(row.label, 0))
    latency_rows = []
    for partner in sorted(histogram):
        buckets = histogram[partner]
        total = sum(buckets.values())
        latency_rows.append(
            Row(
                partner,
                {"delivered": total},
                {f"p{p}Seconds": _percentile(buckets, total, p) for p in PERCENTILES},
            )
        )
    dead = [(p, why, n) for (p, why), n in dead_counts.items()]
    section = "Exchange health"
    return [
        Table(
            key="deliveryByPartner",
            title="Messages to partners by status",
            section=section,
            row_label="partner",
            columns=("delivered", "pending", "dead"),
            rows=health,
            total_column=True,
            measures=("entriesRetried",),
            measure_basis="total",
            note="outbox entries queued during the school year; entriesRetried: needed more "
            "than one attempt",
        ),
        Table(
            key="deliveryLatency",
            title="Delivery latency per partner (queued → delivered)",
            section=section,
            row_label="partner",
            columns=("delivered",),
            rows=latency_rows,
            measures=tuple(f"p{p}Seconds" for p in PERCENTILES),
            measure_basis="delivered",
            measure_total=False,
            note="percentiles read from a histogram: the value shown is the upper bound of the "
            "bucket holding the percentile (bounds "
            + ", ".join(f"{b:g}" for b in LATENCY_BOUNDS)
            + " s)",
        ),
        Table(
            key="deadLetters",
            title="Dead letters by partner and reason",
            section=section,
            row_label="partnerReason",
            columns=("count",),
            rows=[
                Row(f"{partner}: {why}", {"count": int(n)})
                for partner, why, n in sorted(dead, key=lambda r: (str(r[0]), str(r[1])))
            ],
        ),
    ]


def _percentile(buckets: dict[int, int], total: int, p: int) -> float | None:
    if total == 0:
        return None
    rank = max(1, -(-total * p // 100))  # ceil(total * p / 100)
    seen = 0
    for index in sorted(buckets):
        seen += buckets[index]
        if seen >= rank:
            return LATENCY_BOUNDS[index] if index < len(LATENCY_BOUNDS) else float("inf")
    return None


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# ------------------------------------------------------------------------- the report


def evaluation(store: Store, school_year: str, codes: CodeTable) -> Report:
    """Every table of ``school_year``'s report, raw (apply :func:`suppression.suppress`)."""
    schoolyear.check(school_year)
    with store.engine.connect() as conn:
        registration_tables, counted_from = registrations(conn, school_year)
        transfer_tables, outward = transfers(conn, school_year)
        tables = [
            *registration_tables,
            *transfer_tables,
            *movers(conn, school_year, outward),
            *career_breaks(conn, school_year, codes),
            *exchange(conn, school_year),
        ]
    notes = [
        "Only aggregates: no INSZ, names, dossier or registration numbers leave the store.",
        "Registrations are counted from the gateway's migration 0005"
        + (
            f" (the first of this school year counted {_ts(counted_from)})."
            if counted_from is not None
            else " (none counted yet)."
        ),
        f"Federal code table {codes.version}"
        + (_code_table_status(codes, " ") or " (confirmed)")
        + ".",
    ]
    return Report(school_year, store.clock(), tables, notes)


def _ts(value: datetime | str) -> str:
    if isinstance(value, str):  # SQLite returns MIN() of a timestamp as text
        return value[:16].replace("T", " ") + " UTC"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _code_table_status(codes: CodeTable, lead: str) -> str:
    """What the report says of a code table that is not confirmed: its status, in words.

    ``codes.status`` is the table's own word (``sample`` for the shipped guess, ``assumed`` for
    a table an operator loaded without the RVA's confirmation); the legacy ``confirmed`` flag
    is not read (it is unset for tables that state a status)."""
    if codes.status.value == "confirmed":
        return ""
    return f"{lead}({codes.status.value}: not confirmed by the RVA)"
