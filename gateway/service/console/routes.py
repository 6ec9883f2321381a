"""``/console``: the operator console's pages and actions.

Server-rendered HTML (Jinja2) that works without JavaScript: every action is a plain form POST
answered by a redirect to the page that shows its effect (post/redirect/get). htmx (served from
``/console/static``) makes the same links and forms swap the page body in place
(``hx-boost``) and refreshes the partner overview every few seconds; no page has an inline
script, so the Content-Security-Policy allows scripts from brug itself only
(:mod:`gateway.service.security_headers`).

Every page needs a session (:mod:`.sessions`); without one the browser is sent to
``/console/login``. Every POST needs the session's CSRF token in the form field ``csrf``; retry
and purge need the ``admin`` role and are written to the audit log with the operator's id.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography import x509
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gateway.audit.chain import AuditRecord
from gateway.auth.mtls import peer_certificate
from gateway.delivery.circuit import CircuitBreaker
from gateway.delivery.entries import OutboxEntry, OutboxStatus
from gateway.delivery.errors import EntryNotFound
from gateway.errors import BrugValidationError
from gateway.identifiers.insz import mask_insz
from gateway.observability.middleware import CLIENT_STATE_KEY
from gateway.report.build import FORMATS, MEDIA_TYPES, evaluation_report, render
from gateway.rules import schoolyear
from gateway.service.console import i18n, queries
from gateway.service.console.sessions import (
    COOKIE,
    Operator,
    Session,
    Sessions,
    operator_for_certificate,
)
from gateway.service.context import GatewayContext

log = logging.getLogger("brug.console")

PREFIX = "/console"
HERE = Path(__file__).parent
MAX_SELECTED = 200
#: Seconds one computed partner overview serves every open console.
OVERVIEW_TTL = 2.0


class LoginRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _age(delta: timedelta | None, language: str) -> str:
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    t = i18n.translate
    if seconds < 120:
        return f"{seconds} {t('unit.s', language)}"
    if seconds < 7200:
        return f"{seconds // 60} {t('unit.min', language)}"
    if seconds < 172800:
        return f"{seconds // 3600} {t('unit.h', language)}"
    return f"{seconds // 86400} {t('unit.d', language)}"


def _time(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Console:
    """The console over one gateway context (and this process's circuit breakers, if any)."""

    def __init__(self, context: GatewayContext, breaker: CircuitBreaker | None) -> None:
        self.context = context
        self.breaker = breaker
        self.sessions = Sessions(context.settings.console)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(age=_age, time=_time, mask_insz=mask_insz)
        self._overview: tuple[float, list[queries.PartnerRow]] | None = None
        self._overview_lock = threading.Lock()

    def overview(self) -> list[queries.PartnerRow]:
        """The partner overview, computed at most once per :data:`OVERVIEW_TTL` seconds
        however many consoles are open (each refreshes every 3 s)."""
        with self._overview_lock:
            cached = self._overview
            if cached is not None and time.monotonic() - cached[0] < OVERVIEW_TTL:
                return cached[1]
            rows = queries.partner_overview(self.context, self.breaker, self.context.store.clock())
            self._overview = (time.monotonic(), rows)
            return rows

    # -- who is asking -----------------------------------------------------------------------

    def certificate(self, request: Request) -> x509.Certificate | None:
        try:
            return peer_certificate(request.scope, self.context.settings.server)
        except ValueError:
            return None

    def session(self, request: Request) -> Session:
        found = self.sessions.read(request.cookies.get(COOKIE), self.certificate(request))
        if found is None:
            query = request.url.query
            raise LoginRequired(request.url.path + (f"?{query}" if query else ""))
        # The access log names the operator like it names a REST client.
        setattr(request.state, CLIENT_STATE_KEY, f"operator:{found.operator.id}")
        return found

    @staticmethod
    def language(request: Request) -> str:
        return i18n.negotiate(
            request.query_params.get("lang"),
            request.cookies.get(i18n.LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    # -- rendering ---------------------------------------------------------------------------

    def page(
        self,
        request: Request,
        template: str,
        session: Session | None,
        *,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        language = self.language(request)

        def t(key: str, **fill: object) -> str:
            return i18n.translate(key, language, **fill)

        html = self.templates.get_template(template).render(
            t=t,
            lang=language,
            languages=i18n.LANGUAGES,
            path=request.url.path,
            operator=None if session is None else session.operator,
            csrf="" if session is None else session.csrf,
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        if request.query_params.get("lang") in i18n.LANGUAGES:
            response.headers.append(
                "set-cookie",
                f"{i18n.LANG_COOKIE}={language}; Max-Age=31536000; Path={PREFIX}; "
                "Secure; SameSite=Strict",
            )
        return response

    def refuse(
        self, request: Request, session: Session | None, status: int, message: str
    ) -> Response:
        return self.page(request, "error.html", session, status=status, message=message)

    def checked_post(
        self, request: Request, session: Session, form: Any, *, admin: bool
    ) -> Response | None:
        """A refusal page when the CSRF token is wrong or the role too low, else None."""
        language = self.language(request)
        if not session.csrf_ok(form.get("csrf") if isinstance(form.get("csrf"), str) else None):
            log.warning("console: CSRF token refused for operator %s", session.operator.id)
            return self.refuse(request, session, 403, i18n.translate("error.csrf", language))
        if admin and not session.operator.is_admin:
            log.warning("console: %s (viewer) tried an admin action", session.operator.id)
            return self.refuse(request, session, 403, i18n.translate("error.admin_only", language))
        return None

    # -- admin actions -------------------------------------------------------------------------

    def audit_action(self, operator: Operator, action: str, entry: OutboxEntry) -> None:
        """An admin action in the audit log: what, on which message, by which operator."""
        self.context.audit.append(
            AuditRecord(
                partner=entry.partner,
                operation=f"console.{action}",
                direction="out",
                message_id=entry.message_id,
                digest=entry.digest,
                outcome=f"{action} by operator {operator.id} ({operator.role})"[:100],
            )
        )

    def retry(self, operator: Operator, ids: list[int]) -> int:
        done = 0
        for entry_id in ids:
            try:
                entry = self.context.outbox.get(entry_id)
                if entry.status is not OutboxStatus.DEAD:
                    continue
                retried = self.context.outbox.retry(entry_id)
            except EntryNotFound:
                continue
            self.audit_action(operator, "retry", retried)
            done += 1
        log.info("console: operator %s retried %d dead letter(s)", operator.id, done)
        return done

    def purge(self, operator: Operator, ids: list[int]) -> int:
        purged = self.context.outbox.purge_dead(ids)
        for entry in purged:
            self.audit_action(operator, "purge", entry)
        log.info("console: operator %s purged %d dead letter(s)", operator.id, len(purged))
        return len(purged)


def _safe_next(target: str | None) -> str:
    """Only a console path (with its query) may be the page to return to after signing in."""
    if not target:
        return PREFIX
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX):
        return PREFIX
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _entry_ids(values: list[str]) -> list[int] | None:
    """The ``entry`` fields as ids; None when one is not a positive integer or too many."""
    if len(values) > MAX_SELECTED:
        return None
    ids = []
    for value in values:
        if not value.isdigit() or not 0 < int(value) < 2**63:
            return None
        ids.append(int(value))
    return ids


def console_router(console: Console) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    context = console.context
    now: Callable[[], datetime] = context.store.clock

    @router.get("/login")
    def login(request: Request, next: str | None = None) -> Response:
        cert = console.certificate(request)
        language = console.language(request)
        if cert is None:
            return console.page(
                request,
                "login.html",
                None,
                status=401,
                problem=i18n.translate("login.no_cert", language),
            )
        operator_id = operator_for_certificate(cert, context.settings.console)
        if operator_id is None:
            log.warning("console: a certificate of no operator tried to sign in")
            return console.page(
                request,
                "login.html",
                None,
                status=403,
                problem=i18n.translate("login.unknown_cert", language),
            )
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.headers.append(
            "set-cookie", console.sessions.cookie_header(console.sessions.issue(operator_id, cert))
        )
        log.info("console: operator %s signed in", operator_id)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = console.session(request)
        form = await request.form()
        refused = console.checked_post(request, session, form, admin=False)
        if refused is not None:
            return refused
        response = console.page(request, "login.html", None, status=200, signed_out=True)
        response.headers.append("set-cookie", Sessions.clearing_header())
        return response

    @router.get("")
    def overview(request: Request) -> Response:
        session = console.session(request)
        return console.page(request, "overview.html", session, rows=console.overview())

    @router.get("/overview/partners")
    def overview_table(request: Request) -> Response:
        session = console.session(request)
        return console.page(request, "_partners.html", session, rows=console.overview())

    @router.get("/dead-letters")
    def dead(request: Request, done: str | None = None, count: int = 0) -> Response:
        session = console.session(request)
        entries = queries.dead_letters(context)
        notice = None
        language = console.language(request)
        if done in ("retry", "purge"):
            notice = i18n.translate(f"dead.done_{done}", language, n=max(0, min(count, 10**6)))
        return console.page(
            request,
            "dead.html",
            session,
            entries=entries,
            now=now(),
            notice=notice,
            shown_error=queries.shown_error,
        )

    @router.post("/dead-letters")
    async def dead_action(request: Request) -> Response:
        session = console.session(request)
        form = await request.form()
        refused = console.checked_post(request, session, form, admin=True)
        if refused is not None:
            return refused
        language = console.language(request)
        action = form.get("action")
        ids = _entry_ids([str(v) for v in form.getlist("entry")])
        if action not in ("retry", "purge"):
            message = i18n.translate(
                "error.bad_field", language, field="action", rule="retry or purge"
            )
            return console.refuse(request, session, 400, message)
        if ids is None:
            message = i18n.translate(
                "error.bad_field",
                language,
                field="entry",
                rule=f"1 to {MAX_SELECTED} outbox entry ids (positive integers)",
            )
            return console.refuse(request, session, 400, message)
        if not ids:
            return console.refuse(request, session, 400, i18n.translate("dead.nothing", language))
        done = (
            console.retry(session.operator, ids)
            if action == "retry"
            else console.purge(session.operator, ids)
        )
        return RedirectResponse(
            f"{PREFIX}/dead-letters?done={action}&count={done}", status_code=303
        )

    @router.get("/search")
    def search_form(request: Request) -> Response:
        session = console.session(request)
        return console.page(request, "search.html", session, result=None, problem=None)

    @router.post("/search")
    async def search(request: Request) -> Response:
        # POST, not GET: an INSZ typed in must not end up in a URL, the browser history or a
        # proxy's access log.
        session = console.session(request)
        form = await request.form()
        refused = console.checked_post(request, session, form, admin=False)
        if refused is not None:
            return refused
        typed = form.get("q")
        language = console.language(request)
        try:
            result = queries.find_messages(context, typed if isinstance(typed, str) else "")
        except queries.SearchError as exc:
            return console.page(
                request,
                "search.html",
                session,
                status=400,
                result=None,
                problem=i18n.translate(exc.key, language),
            )
        return console.page(request, "search.html", session, result=result, problem=None, now=now())

    @router.get("/messages/{message_id}")
    def message(request: Request, message_id: str) -> Response:
        session = console.session(request)
        entries = context.outbox.find_message(message_id[:255])
        history = queries.message_history(context, message_id[:255])
        status = 200 if entries or history else 404
        return console.page(
            request,
            "message.html",
            session,
            status=status,
            message_id=message_id[:255],
            entries=entries,
            history=history,
            shown_error=queries.shown_error,
        )

    @router.get("/audit")
    def audit(request: Request) -> Response:
        session = console.session(request)
        return console.page(
            request, "audit.html", session, status_now=queries.audit_status(context), report=None
        )

    @router.post("/audit/verify")
    async def audit_verify(request: Request) -> Response:
        session = console.session(request)
        form = await request.form()
        refused = console.checked_post(request, session, form, admin=False)
        if refused is not None:
            return refused
        report = queries.verify_audit(context)
        log.info(
            "console: operator %s verified the audit chain: %s",
            session.operator.id,
            "intact" if report.ok else "BROKEN",
        )
        problems = [report.first_problem, *report.checkpoint_problems]
        problem = next((p for p in problems if p is not None), None)
        return console.page(
            request,
            "audit.html",
            session,
            status_now=queries.audit_status(context),
            report=report,
            problem=None if problem is None else str(problem),
        )

    @router.get("/vok")
    def vok(request: Request) -> Response:
        session = console.session(request)
        return console.page(request, "vok.html", session, candidates=queries.vok_list(context))

    @router.get("/evaluation")
    def evaluation(request: Request) -> Response:
        session = console.session(request)
        asked = request.query_params.get("schoolYear", "")
        school_year = asked or schoolyear.school_year_of(context.store.clock().date())
        try:
            schoolyear.check(school_year, path="schoolYear")
        except BrugValidationError as exc:
            return console.page(
                request,
                "evaluation.html",
                session,
                status=400,
                school_year=school_year,
                problem=exc.violations[0].message,
            )
        return console.page(
            request, "evaluation.html", session, school_year=school_year, problem=None
        )

    @router.get("/evaluation/report")
    def evaluation_page(request: Request) -> Response:
        """The evaluation report itself (docs/evaluation.md): only aggregates, small cells
        suppressed with the configured threshold. Its charts are inline SVG with inline styles,
        so this one response allows inline styles and nothing else (no script, no host)."""
        console.session(request)
        school_year = request.query_params.get("schoolYear", "")
        fmt = request.query_params.get("format", "html")
        try:
            schoolyear.check(school_year, path="schoolYear")
        except BrugValidationError as exc:
            return Response(exc.violations[0].message, status_code=400, media_type="text/plain")
        if fmt not in FORMATS:
            return Response("format is html, json or csv", status_code=400)
        report = evaluation_report(
            context.store,
            school_year,
            codes=context.codes,
            threshold=context.settings.report.suppression_threshold,
        )
        headers = {"Content-Security-Policy": REPORT_CSP}
        if fmt != "html":
            name = f"evaluation-{school_year}.{fmt}"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(render(report, fmt), media_type=MEDIA_TYPES[fmt], headers=headers)

    return router


#: The evaluation page: inline styles of its SVG charts, nothing else at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def install_console(app: FastAPI, context: GatewayContext, breaker: CircuitBreaker | None) -> None:
    """Mount ``/console`` (pages, static assets) on ``app`` when ``[console] enabled``."""
    if not context.settings.console.enabled:
        return
    console = Console(context, breaker)

    async def to_login(request: Request, exc: Exception) -> Response:
        target = exc.target if isinstance(exc, LoginRequired) else PREFIX
        login = f"{PREFIX}/login?next={quote(target)}"
        if request.headers.get("hx-request"):
            # htmx follows redirects itself and would swap the sign-in page into a fragment:
            # ask it to load the sign-in page as a whole page instead.
            return Response(status_code=401, headers={"HX-Redirect": login})
        return RedirectResponse(login, status_code=303)

    app.add_exception_handler(LoginRequired, to_login)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.include_router(console_router(console))
