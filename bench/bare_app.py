"""The baseline: a bare FastAPI app with one endpoint per webhook kind that does no work.

Served by uvicorn exactly as the gateway is (``uvicorn bench.bare_app:app ...``), so
that the two differ only in what the handler does.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import FastAPI, Form, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
PATH = "/sms"
PAYMENT_PATH = "/razorpay"
VOICE_PATH = "/voice"
GATHER = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="{action}" '
          'input="dtmf" numDigits="1" timeout="6"><Say language="en-IN">Press a key.</Say>'
          '</Gather></Response>')


class SmsForm(BaseModel):
    """The fields of Twilio's inbound form that a minimal handler would read."""

    model_config = ConfigDict(extra="ignore")

    message_sid: str = Field(alias="MessageSid")
    account_sid: str = Field(alias="AccountSid")
    sender: str = Field(alias="From")
    to: str = Field(alias="To")
    body: str = Field(alias="Body", default="")


app = FastAPI()


@app.post(PATH)
async def sms(form: Annotated[SmsForm, Form()]) -> Response:
    """Accept the form, answer nothing."""
    return Response(EMPTY_TWIML, media_type="text/xml")


class CallForm(BaseModel):
    """The fields of Twilio's call webhook that a minimal IVR handler would read."""

    model_config = ConfigDict(extra="ignore")

    call_sid: str = Field(alias="CallSid")
    account_sid: str = Field(alias="AccountSid")
    sender: str = Field(alias="From")
    digits: str | None = Field(alias="Digits", default=None)


@app.post(VOICE_PATH)
async def voice(request: Request, form: Annotated[CallForm, Form()]) -> Response:
    """Accept a call's answer; answer a Gather pointing at the next step (as an IVR does)."""
    step = int(request.query_params.get("step", "0")) + 1
    return Response(GATHER.format(action=f"{VOICE_PATH}?step={step}"), media_type="text/xml")


@app.post(PAYMENT_PATH)
async def payment(request: Request) -> JSONResponse:
    """Read a gateway webhook's raw body and JSON, answer accepted (no signature, no row)."""
    body = await request.body()
    event = json.loads(body).get("event")
    return JSONResponse({"status": "accepted" if event else "ignored"})


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}
