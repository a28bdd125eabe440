"""One webhook route for every channel type: verify, persist, enqueue, answer fast.

Synchronous channels (IVR) answer with the conversation's replies in the response instead
(`services.voice.answer`), and only they have `prompt` fetches. A channel whose provider calls
with GET too (Exotel's applets, Meta's handshake) says so in `webhook_methods`.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from channels.contract import InboundEvent, StatusUpdate, WebhookRequest, WebhookResponse
from channels.errors import ConfigError, WebhookRejected
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.context import AppContext
from services.conversation.runner import converse
from services.messaging.log import apply_status
from services.voice.answer import answer
from services.web.bounds import check_events
from services.web.deps import CtxDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])


class UnknownAccount(Exception):
    """No active account of that channel type with that id."""


class NotForChannel(Exception):
    """A method the channel's webhooks do not take, or a kind it does not have."""


def process_webhook(ctx: AppContext, channel_type: str, account_id: str, kind: str,
                    request: WebhookRequest) -> WebhookResponse:
    """Verify and parse with the account's adapter, then handle each event."""
    with ctx.sessions() as db:
        account = db.get(ChannelAccount, account_id)
        if account is None or account.channel_type != channel_type or not account.active:
            raise UnknownAccount(account_id)
        adapter = adapter_for(ctx.crypto, account)
        tenant_id = account.tenant_id
    synchronous = adapter.capabilities.synchronous
    if request.method not in adapter.webhook_methods or (kind == "prompt" and not synchronous):
        raise NotForChannel(f"{request.method} {kind}")
    result = adapter.handle_webhook(request, kind)
    check_events(result.events)
    if result.ignored:
        log.info("%s webhook acknowledged, not handled: %s", channel_type, result.ignored)
    if synchronous:
        return answer(ctx, account, adapter, kind, result)
    outbox: list[str] = []
    for event in result.events:
        if isinstance(event, InboundEvent):
            handled = converse(ctx, account_id, tenant_id, adapter.medium.value, event)
            outbox.extend(handled.outbox_ids)
        elif isinstance(event, StatusUpdate):
            with ctx.sessions() as db:
                apply_status(db, db.get_one(ChannelAccount, account_id), event)
                db.commit()
    if outbox:
        ctx.dispatcher.enqueue(outbox)
    return result.response


async def _handle(request: Request, ctx: AppContext, channel_type: str, account_id: str,
                  kind: str) -> Response:
    """Shared body of the inbound and status routes."""
    body = await request.body()
    url = ctx.settings.base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    hook = WebhookRequest(request.method, url, dict(request.headers), body)
    try:
        reply = await run_in_threadpool(process_webhook, ctx, channel_type, account_id, kind, hook)
    except UnknownAccount:
        return JSONResponse({"error": "unknown_account"}, status_code=404)
    except NotForChannel:
        return JSONResponse({"error": "method_not_allowed"}, status_code=405)
    except ConfigError:
        return JSONResponse({"error": "unknown_channel_type"}, status_code=404)
    except WebhookRejected as exc:
        log.warning("%s webhook rejected: %s", channel_type, exc.code)
        return JSONResponse({"error": exc.code}, status_code=exc.http_status)
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)


@router.api_route("/webhooks/{channel_type}/{account_id}", methods=["GET", "POST"])
async def inbound(request: Request, ctx: CtxDep, channel_type: str, account_id: str) -> Response:
    """A provider delivers a citizen's message (or a call's event)."""
    return await _handle(request, ctx, channel_type, account_id, "inbound")


@router.api_route("/webhooks/{channel_type}/{account_id}/status", methods=["GET", "POST"])
async def status(request: Request, ctx: CtxDep, channel_type: str, account_id: str) -> Response:
    """A provider reports on a message we sent (or a call's end)."""
    return await _handle(request, ctx, channel_type, account_id, "status")


@router.api_route("/webhooks/{channel_type}/{account_id}/prompt", methods=["GET", "POST"])
async def prompt(request: Request, ctx: CtxDep, channel_type: str, account_id: str) -> Response:
    """A voice provider fetches what to say next in a call (Exotel's Gather applet)."""
    return await _handle(request, ctx, channel_type, account_id, "prompt")
