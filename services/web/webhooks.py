"""One webhook route for every channel type: verify, record, enqueue, answer fast.

An asynchronous channel's events are written to the inbox (once: unique on the provider's
event id) and committed; the conversation turns run in workers. Nothing slow — no platform,
payment or provider call — runs inside the request.

Synchronous channels (IVR) answer with the conversation's replies in the response instead
(`services.voice.answer`), and only they have `prompt` fetches. A channel whose provider calls
with GET too (Exotel's applets, Meta's handshake) or HEAD (Exotel's probe before its incoming-SMS
GET) says so in `webhook_methods`; any other method is a 405. The response's Content-Type is
exactly the adapter's (Exotel wants `text/plain` "and nothing else", so no charset is added).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as DbSession

from channels.contract import InboundEvent, StatusUpdate, WebhookRequest, WebhookResponse
from channels.errors import ConfigError, WebhookRejected
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.campaigns.status import apply_campaign_status
from services.context import AppContext
from services.inbox.record import (
    conversation_key,
    inbox_values,
    record_event,
    record_event_fast,
)
from services.messaging.lanes import Lane
from services.messaging.log import apply_status
from services.messaging.resend import resend_as_template
from services.voice.answer import answer
from services.web.bounds import check_events

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
METHODS = ["GET", "POST"]
"""What the documented routes take; each channel narrows it with `webhook_methods`. HEAD is
routed too, outside the OpenAPI document (it is a probe with no body either way)."""


class UnknownAccount(Exception):
    """No active account of that channel type with that id."""


class NotForChannel(Exception):
    """A method the channel's webhooks do not take, or a kind it does not have."""


def process_webhook(ctx: AppContext, channel_type: str, account_id: str, kind: str,
                    request: WebhookRequest, secret_path: bool = False) -> WebhookResponse:
    """Verify and parse with the account's adapter; record the events; hand them on.
    `secret_path`: the URL carries a secret segment (`…/s/<secret>`), which only adapters
    with `path_secret` take."""
    account = ctx.accounts.get(ctx.sessions, account_id)
    if account is None or account.channel_type != channel_type or not account.active:
        raise UnknownAccount(account_id)
    adapter = adapter_for(ctx.crypto, account)
    synchronous = adapter.capabilities.synchronous
    if (request.method not in adapter.webhook_methods or (kind == "prompt" and not synchronous)
            or (secret_path and not adapter.path_secret)):
        raise NotForChannel(f"{request.method} {kind}")
    result = adapter.handle_webhook(request, kind)
    check_events(result.events)
    if result.ignored:
        log.info("%s webhook acknowledged, not handled: %s", channel_type, result.ignored)
    if synchronous:  # IVR: the provider waits for the next prompt in this response
        return answer(ctx, account, adapter, kind, result)
    resent: list[tuple[str, Lane]] = []
    if ctx.recording_engine is not None and all(isinstance(e, InboundEvent) for e in result.events):
        conversations = _record_inbound(ctx, account, adapter.medium.value, result.events)
    else:
        with (ctx.recording or ctx.sessions)() as db:
            conversations = _record(ctx, db, account, adapter.medium.value, result.events,
                                    resent)
            db.commit()
    ctx.dispatcher.enqueue_turns(conversations)
    for outbox_id, lane in resent:
        ctx.dispatcher.enqueue([outbox_id], lane)
    return result.response


def _record_inbound(ctx: AppContext, account: ChannelAccount, medium: str,
                    events: Sequence[InboundEvent | StatusUpdate]) -> list[str]:
    """The common case on PostgreSQL, messages only: each one driver statement in autocommit
    on a plain connection (no ORM session: it cost more CPU than the insert)."""
    conversations: list[str] = []
    assert ctx.recording_engine is not None
    with ctx.recording_engine.connect() as conn:
        for event in events:
            assert isinstance(event, InboundEvent)
            conversation = record_event_fast(conn, ctx.crypto, account, medium, event)
            if conversation is not None and conversation not in conversations:
                conversations.append(conversation)
    return conversations


def _record(ctx: AppContext, db: DbSession, account: ChannelAccount, medium: str,
            events: Sequence[InboundEvent | StatusUpdate],
            resent: list[tuple[str, Lane]]) -> list[str]:
    """Write inbound events to the inbox and apply status reports (a message failed only
    because the window had closed is queued again as its template, into `resent`);
    conversations to run."""
    conversations: list[str] = []
    for event in events:
        if isinstance(event, InboundEvent):
            conversation = record_event(db, ctx.crypto, account, medium, event)
            if conversation is not None and conversation not in conversations:
                conversations.append(conversation)
        elif isinstance(event, StatusUpdate):
            if apply_status(db, account, event) and event.needs_template:
                again = resend_as_template(db, account, event.external_id)
                resent += [again] if again else []
            apply_campaign_status(db, account, event)  # a campaign send's row, if it is one
    return conversations


def _batched(ctx: AppContext, channel_type: str, account_id: str, kind: str,
             request: WebhookRequest) -> tuple[list[dict[str, Any]], WebhookResponse] | None:
    """The inbox rows and the answer of a webhook the writer can take, verified and parsed
    here in the event loop (CPU only: the account is cached); None when it needs the full
    path (an uncached account, IVR, status reports, a method the channel does not take)."""
    if kind != "inbound":
        return None
    known, account = ctx.accounts.peek(account_id)
    if not known or account is None or account.channel_type != channel_type or not account.active:
        return None
    adapter = adapter_for(ctx.crypto, account)
    if adapter.capabilities.synchronous or request.method not in adapter.webhook_methods:
        return None
    result = adapter.handle_webhook(request, kind)
    check_events(result.events)
    if not all(isinstance(e, InboundEvent) for e in result.events):
        return None  # parsed twice then; status reports come on their own route anyway
    if result.ignored:
        log.info("%s webhook acknowledged, not handled: %s", channel_type, result.ignored)
    medium = adapter.medium.value
    rows = []
    for event in result.events:
        assert isinstance(event, InboundEvent)
        key = conversation_key(ctx.crypto, account.tenant_id, medium, event)
        rows.append(inbox_values(ctx.crypto, account, medium, event, key))
    return rows, result.response


async def _answer(ctx: AppContext, channel_type: str, account_id: str, kind: str,
                  hook: WebhookRequest, secret_path: bool) -> WebhookResponse:
    """Through the group-committing writer when it can, else in a worker thread."""
    writer = ctx.inbox_writer
    batched = (_batched(ctx, channel_type, account_id, kind, hook)
               if writer and not secret_path else None)
    if writer is None or batched is None:
        return await run_in_threadpool(process_webhook, ctx, channel_type, account_id, kind, hook,
                                       secret_path)
    rows, response = batched
    if rows:
        await asyncio.wrap_future(writer.submit(rows))  # committed before the provider hears
    return response


async def _handle(request: Request, ctx: AppContext, channel_type: str, account_id: str,
                  kind: str, secret_path: bool = False) -> Response:
    """Shared body of the inbound and status routes."""
    body = await request.body()
    url = ctx.settings.base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    hook = WebhookRequest(request.method, url, dict(request.headers), body)
    try:
        reply = await _answer(ctx, channel_type, account_id, kind, hook, secret_path)
    except DBAPIError as exc:  # the database is down or restarting: the provider retries
        log.error("%s webhook not recorded: database unavailable (%s)", channel_type,
                  type(exc.orig).__name__)
        return JSONResponse({"error": "database_unavailable"}, status_code=503)
    except UnknownAccount:
        return JSONResponse({"error": "unknown_account"}, status_code=404)
    except NotForChannel:
        return JSONResponse({"error": "method_not_allowed"}, status_code=405)
    except ConfigError:
        return JSONResponse({"error": "unknown_channel_type"}, status_code=404)
    except WebhookRejected as exc:
        log.warning("%s webhook rejected: %s", channel_type, exc.code)
        return JSONResponse({"error": exc.code}, status_code=exc.http_status)
    return Response(reply.body, status_code=reply.status,
                    headers={"content-type": reply.media_type})


@router.api_route("/webhooks/{channel_type}/{account_id}", methods=["HEAD"],
                  include_in_schema=False)
@router.api_route("/webhooks/{channel_type}/{account_id}", methods=METHODS)
async def inbound(request: Request, channel_type: str, account_id: str) -> Response:
    """A provider delivers a citizen's message (or a call's event)."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "inbound")


@router.api_route("/webhooks/{channel_type}/{account_id}/status", methods=["HEAD"],
                  include_in_schema=False)
@router.api_route("/webhooks/{channel_type}/{account_id}/status", methods=METHODS)
async def status(request: Request, channel_type: str, account_id: str) -> Response:
    """A provider reports on a message we sent (or a call's end)."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "status")


@router.api_route("/webhooks/{channel_type}/{account_id}/prompt", methods=METHODS)
async def prompt(request: Request, channel_type: str, account_id: str) -> Response:
    """A voice provider fetches what to say next in a call (Exotel's Gather applet)."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "prompt")


# The secret in the path (Exotel: its dynamic-URL applets may rewrite the query string). The
# adapter reads and checks the segment; access logs show it as `/s/***`.
@router.api_route("/webhooks/{channel_type}/{account_id}/s/{secret}", methods=METHODS)
async def inbound_with_secret(request: Request, channel_type: str, account_id: str,
                              secret: str) -> Response:
    """A provider that signs nothing delivers a call's event to a URL carrying the secret."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "inbound",
                         secret_path=True)


@router.api_route("/webhooks/{channel_type}/{account_id}/s/{secret}/status", methods=METHODS)
async def status_with_secret(request: Request, channel_type: str, account_id: str,
                             secret: str) -> Response:
    """A call's end, to a URL carrying the secret."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "status",
                         secret_path=True)


@router.api_route("/webhooks/{channel_type}/{account_id}/s/{secret}/prompt", methods=METHODS)
@router.api_route("/webhooks/{channel_type}/{account_id}/s/{secret}/prompt/{applet}",
                  methods=METHODS)
async def prompt_with_secret(request: Request, channel_type: str, account_id: str,
                             secret: str, applet: str = "gather") -> Response:
    """A voice provider fetches what to say next (or which branch to take: `…/prompt/route`)."""
    return await _handle(request, request.app.state.ctx, channel_type, account_id, "prompt",
                         secret_path=True)
