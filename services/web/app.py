"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from channels.registry import simulator_routers
from payments import qr_routes, refund_api
from payments import simulated as payment_sims
from payments import web as payment_web
from payments.bbps import routes as bbps_routes
from payments.receipts import routes as receipt_routes
from payments.recon import api as recon_api
from services.audio import routes as audio_routes
from services.campaigns import api as campaigns_api
from services.campaigns.wiring import embedded_tick
from services.categories import api as categories_api
from services.connectors import web as connector_web
from services.context import AppContext, build_context
from services.grievances import api as grievance_api
from services.inbox.writer import InboxWriter
from services.media import routes as media_routes
from services.messaging import spend_api
from services.open311 import api as open311_api
from services.places import api as places_api
from services.reporting import api as reporting_api
from services.routing import api as routing_api
from services.routing.escalate import run_escalations
from services.settings import Settings, get_settings
from services.staff import api as staff_api
from services.tasks.dispatch import ThreadDispatcher
from services.tenancy import api as tenant_api
from services.voice import message_routes as voice_message_routes
from services.web import access_log, errors, openapi, simdir, webchat, webchat_photos, webhooks
from services.web.framing import FrameAncestors
from services.web.limits import BodyLimit

log = logging.getLogger(__name__)


def use_default_dispatcher(ctx: AppContext) -> ThreadDispatcher | None:
    """Celery when Redis is configured; otherwise an in-process thread runner (returned)."""
    if ctx.settings.uses_celery:
        from services.tasks.celery_app import CeleryDispatcher

        ctx.dispatcher = CeleryDispatcher(ctx.settings)
        return None
    runner = ThreadDispatcher(ctx.deliver, ctx.due, ctx.settings.sweep_interval_seconds,
                              run_turns=ctx.run_turns, due_turns=ctx.due_turns,
                              sweep_media=ctx.sweep_media, sweep_email=ctx.sweep_email,
                              escalate=lambda: run_escalations(ctx.sessions, ctx.crypto,
                                                               ctx.dispatcher),
                              escalate_seconds=ctx.settings.escalation_interval_seconds,
                              payment_event=ctx.handle_payment_event,
                              periodic=[(lambda: embedded_tick(ctx), 1.0),
                                        (ctx.check_payments,
                                         ctx.settings.payments_check_seconds),
                                        (ctx.sweep_payments,
                                         ctx.settings.payments_sweep_seconds),
                                        (ctx.sweep_connectors,
                                         ctx.settings.connectors_sweep_seconds)])
    ctx.dispatcher = runner
    return runner


def create_app(settings: Settings | None = None, ctx: AppContext | None = None) -> FastAPI:
    """Build the app; given a ctx (tests) it is used as is, else built from settings."""
    owned = ctx is None
    context = ctx or build_context(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runner = use_default_dispatcher(context) if owned else None
        if runner:
            runner.start()
        if owned and context.recording_engine is not None:  # PostgreSQL: group commit
            context.inbox_writer = InboxWriter(
                context.recording_engine,
                lambda conversations: context.dispatcher.enqueue_turns(conversations))
        yield
        if runner:
            runner.stop()
        if owned:
            context.close()

    app = FastAPI(title="NagarSetu", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served from our own files: web/openapi.py
                  description="Multi-channel citizen engagement gateway for urban local bodies")
    app.state.ctx = context
    app.include_router(payment_web.router)  # before the channels' /webhooks/{type}/{id}
    app.include_router(webhooks.router)
    app.include_router(webchat.router)
    app.include_router(webchat_photos.router)
    app.include_router(grievance_api.router)
    app.include_router(spend_api.router)
    app.include_router(campaigns_api.router)
    app.include_router(categories_api.router)
    app.include_router(staff_api.router)
    app.include_router(routing_api.router)
    app.include_router(tenant_api.router)
    app.include_router(places_api.router)
    app.include_router(audio_routes.router)
    app.include_router(media_routes.router)
    app.include_router(receipt_routes.router)
    app.include_router(bbps_routes.router)
    app.include_router(refund_api.router)
    app.include_router(voice_message_routes.router)
    app.include_router(open311_api.router)
    app.include_router(reporting_api.router)
    app.include_router(recon_api.router)
    app.include_router(qr_routes.router)
    if context.settings.simulators_enabled:  # development only; not part of the API document
        app.include_router(simdir.router, include_in_schema=False)
        for router in simulator_routers():
            app.include_router(router, include_in_schema=False)
        payment_sims.mount(app, context)
    errors.install(app)
    connector_web.install(app)  # a platform down or refusing: 503 / 502, never a 500
    openapi.install(app)
    app.add_middleware(FrameAncestors, sources=context.settings.frame_ancestors)
    app.add_middleware(BodyLimit)
    access_log.install()

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory services.web.app:app_factory`."""
    return create_app()
