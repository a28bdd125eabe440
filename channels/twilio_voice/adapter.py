"""Twilio voice adapter: signed call webhooks in, TwiML out (Say/Play inside Gather or Record).

Every TwiML answer points its `action` at the account's webhook with `?step=N`, the number of
the caller's next answer in the call: `CallSid:N` is that answer's event id, so a request Twilio
retries is the same event (and gets the same TwiML back). The first request of a call carries no
step; it starts the conversation (or, on a missed-call number, is rejected as busy and answered
by SMS). A prompt nobody answers is said once more, then the call ends with a goodbye.

`send` places an outbound call (a notice for a citizen who cannot read): Twilio fetches its
TwiML from the account's webhook with `?announce=1` once the citizen answers, and the gateway
answers with the message (`respond` in the `announce` context: TTS, clips or a recording)
inside a one-key `<Gather>`: 1 plays it again, 0 starts the IVR's main menu on the same call.
The call's status callbacks (`Direction=outbound-api`) update the message: answered or
completed is delivered, busy, no-answer, failed or canceled fail it with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from pydantic import ValidationError
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels.base import ChannelAdapter, ClipSource, ReplyContext
from channels.contract import (
    AccountConfig,
    Capabilities,
    EventKind,
    InboundEvent,
    MediaFile,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    StatusUpdate,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import ConfigError, MalformedPayload
from channels.recordings import download, recording_client
from channels.twilio_sms.client import TWILIO_API, map_error, pooled_twilio
from channels.twilio_sms.signature import verify_twilio
from channels.twilio_voice.payloads import (
    ENDED,
    OUTBOUND_STATUS,
    CallRequest,
    CallStatusCallback,
    outbound,
)
from channels.voice import (
    ANNOUNCE,
    ANNOUNCE_CONTEXT,
    GOODBYE,
    NO_INPUT,
    Listen,
    Utterance,
    announcement,
    announcement_hints,
    flag,
    heard,
    listen_for,
    recording_text,
    tts_text,
)
from channels.voice import utter as spoken
from i18n.voice import Provider, clips, speech_language, voice_for

XML = "text/xml"
KEY_TIMEOUT = 6
NUMBER_TIMEOUT = 10
MAX_RECORDING_SECONDS = 120
RING_SECONDS = 30
"""How long an outbound call rings before it is `no-answer`."""
CALL_RATE = RateLimit(1)
"""Twilio places one outbound call a second per account unless the account's CPS was raised
(set `mps` in the config)."""
REJECT_BUSY = {"reason": "busy"}
"""`<Reject reason="busy"/>` (a dict: the catalog extractor takes `reason=` for a message id)."""


def _twiml(response: VoiceResponse) -> WebhookResponse:
    """A TwiML document as the webhook's answer."""
    return WebhookResponse(200, str(response), XML)


def step_of(event: InboundEvent) -> int:
    """The answer number inside an event id (`CallSid:N`); 0 for anything else."""
    tail = event.external_id.rpartition(":")[2]
    return int(tail) if tail.isdigit() else 0


class Adapter(ChannelAdapter):
    """Calls to a Twilio number. Config: account_sid, auth_token, address (our number);
    `missed_call` (reject every call and start the conversation by SMS instead) and
    `missed_call_reply_channel` ("sms", the default, or "whatsapp")."""

    channel_type = "twilio-voice"
    medium = Medium.VOICE
    capabilities = Capabilities(voice=True, recording=True, synchronous=True, page_size=8,
                                account_rate=CALL_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"auth_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"account_sid", "auth_token", "address"})

    # -- webhooks ------------------------------------------------------------------------------
    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """A call arriving, an answer to a prompt, or the call's final status."""
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        form = verify_twilio(request, self.config)
        query = dict(parse_qsl(urlsplit(request.url).query))
        try:
            if kind == "status":
                return self._ended(CallStatusCallback.model_validate(form))
            call = CallRequest.model_validate(form)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        if "announce" in query:
            return WebhookResult((self._announced(call),), _twiml(self._hang_up()))
        step = query.get("step")
        if step is None:
            return self._arrived(call)
        if not step.isdigit():
            raise MalformedPayload("step is not a number")
        return WebhookResult((self._answer(call, int(step), query),), _twiml(self._hang_up()))

    def _arrived(self, call: CallRequest) -> WebhookResult:
        """A new call: the conversation starts, or a missed-call number rejects it."""
        if flag(self.config.get("missed_call")):
            event = InboundEvent(f"{call.call_sid}:missed", call.citizen, call.ours,
                                 kind=EventKind.MISSED_CALL, session=call.call_sid)
            busy = VoiceResponse()
            busy.reject(**REJECT_BUSY)
            return WebhookResult((event,), _twiml(busy))
        event = InboundEvent(f"{call.call_sid}:0", call.citizen, call.ours,
                             kind=EventKind.CALL_STARTED, session=call.call_sid)
        return WebhookResult((event,), _twiml(self._hang_up()))

    @staticmethod
    def _announced(call: CallRequest) -> InboundEvent:
        """Our outbound call answered (no digits) or a key pressed after its message."""
        pressed = call.digits if call.digits and call.digits != "hangup" else ""
        return InboundEvent(f"{call.call_sid}:announce", call.citizen, call.ours,
                            text=pressed, payload=ANNOUNCE, session=call.call_sid)

    @staticmethod
    def _answer(call: CallRequest, step: int, query: dict[str, str]) -> InboundEvent:
        """The caller's answer: keys, recognised speech, or a recording."""
        text = ""
        media: tuple[str, ...] = ()
        if call.recording_url:
            media = (call.recording_url,)
            text = recording_text(query.get("lang", "en"))
        elif call.digits and call.digits != "hangup":
            text = "0" if query.get("menu") == "1" else call.digits
        elif call.speech:
            text = call.speech.strip()
        return InboundEvent(f"{call.call_sid}:{step}", call.citizen, call.ours, text=text,
                            media_urls=media, session=call.call_sid)

    @staticmethod
    def _ended(cb: CallStatusCallback) -> WebhookResult:
        """A call we placed: its message's status; a call to us: its final status as a
        CALL_ENDED event (payload: the status)."""
        status = cb.call_status.lower()
        if outbound(cb.direction):
            mapped = OUTBOUND_STATUS.get(status)
            if mapped is None:
                return WebhookResult((), ignored=f"outbound call status {status}")
            return WebhookResult((StatusUpdate(cb.call_sid, mapped[0], mapped[1]),))
        if status not in ENDED:
            return WebhookResult((), ignored=f"call status {status}")
        event = InboundEvent(f"{cb.call_sid}:end", cb.sender, cb.to, payload=status,
                             kind=EventKind.CALL_ENDED, session=cb.call_sid)
        return WebhookResult((event,))

    # -- TwiML ---------------------------------------------------------------------------------
    @staticmethod
    def _hang_up() -> VoiceResponse:
        """TwiML that ends the call (what a call gets when nothing else is said)."""
        response = VoiceResponse()
        response.hangup()
        return response

    @staticmethod
    def _speak(target: Any, said: Sequence[Utterance], source: ClipSource) -> None:
        """`<Say>` in the language's provider voice, else `<Play>` of the plan's clips."""
        for language, group in groupby(said, key=lambda u: u.language):
            group_said = list(group)
            plans = [u.plan for u in group_said]
            voice = voice_for(language, Provider.TWILIO)
            text = tts_text(group_said)
            if voice.tts_voice:
                target.say(text, voice=voice.tts_voice, language=voice.language)
                continue
            urls = source.urls(language, [c for plan in plans for c in clips(plan)])
            for url in urls:
                target.play(url)
            if not urls:  # no clips could be made: Twilio's default voice is better than silence
                target.say(text)

    def respond(self, event: InboundEvent, replies: Sequence[OutboundMessage],
                context: ReplyContext) -> WebhookResponse:
        """The turn's replies as TwiML, waiting for the answer at step N+1."""
        if not replies:
            return _twiml(self._hang_up())
        message = replies[-1]
        if context.kind == ANNOUNCE_CONTEXT:
            return self._announce(event, message, context)
        language = message.language
        said = [u for reply in replies
                for u in heard(reply, self.capabilities.recording, context.page)]
        listen = listen_for(message, self.capabilities.recording)
        params = {"step": str(step_of(event) + 1)}
        if listen is Listen.RECORD:
            params["lang"] = language
        elif listen is Listen.NOTHING:
            params["menu"] = "1"
        action = f"{context.webhook_url}?{urlencode(params)}"
        twiml = VoiceResponse()
        for attempt in range(1 if listen is Listen.NOTHING else 2):
            if attempt:
                self._speak(twiml, [spoken(language, NO_INPUT)], context.clips)
            if listen is Listen.RECORD:
                self._speak(twiml, said, context.clips)
                twiml.record(action=action, method="POST", max_length=MAX_RECORDING_SECONDS,
                             finish_on_key="#", play_beep=True, timeout=5, trim="trim-silence")
                continue
            gather = self._gather(action, listen, language, message)
            self._speak(gather, said, context.clips)
            twiml.append(gather)
        self._speak(twiml, [spoken(language, GOODBYE)], context.clips)
        twiml.hangup()
        return _twiml(twiml)

    def _announce(self, event: InboundEvent, message: OutboundMessage,
                  context: ReplyContext) -> WebhookResponse:
        """An outbound call's message in a one-key Gather (1: again, 0: the main menu); a
        recording (`media_url`) is played in place of the spoken text. Once it was played
        as often as it may be (`EventKind.NO_INPUT`), goodbye."""
        language = message.language
        if event.kind is EventKind.NO_INPUT:
            twiml = VoiceResponse()
            self._speak(twiml, [spoken(language, GOODBYE)], context.clips)
            twiml.hangup()
            return _twiml(twiml)
        gather = Gather(action=f"{context.webhook_url}?{urlencode({'announce': '1'})}",
                        method="POST", input="dtmf", num_digits=1, timeout=KEY_TIMEOUT)
        if message.media_url:
            gather.play(message.media_url)
            self._speak(gather, announcement_hints(language), context.clips)
        else:
            self._speak(gather, announcement(message), context.clips)
        twiml = VoiceResponse()
        twiml.append(gather)
        self._speak(twiml, [spoken(language, GOODBYE)], context.clips)
        twiml.hangup()
        return _twiml(twiml)

    @staticmethod
    def _gather(action: str, listen: Listen, language: str, message: OutboundMessage) -> Gather:
        """A `<Gather>` for one key (or speech where Twilio recognises the language) or digits."""
        if listen is Listen.NUMBER:
            return Gather(action=action, method="POST", input="dtmf", finish_on_key="#",
                          timeout=NUMBER_TIMEOUT)
        speech = speech_language(language, Provider.TWILIO) if listen is Listen.KEY else None
        if speech is None:
            return Gather(action=action, method="POST", input="dtmf", num_digits=1,
                          timeout=KEY_TIMEOUT)
        hints = ", ".join(c.label for c in message.choices)
        return Gather(action=action, method="POST", input="dtmf speech", num_digits=1,
                      timeout=KEY_TIMEOUT, language=speech, speech_timeout="auto", hints=hints)

    def __init__(self, config: AccountConfig) -> None:
        super().__init__(config)
        self.recordings = recording_client()
        self.twilio = pooled_twilio(str(config["account_sid"]), str(config["auth_token"]),
                                    config.get("api_base"))

    def close(self) -> None:
        """Close the recording downloads' and the REST client's kept-alive connections."""
        self.recordings.close()
        self.twilio.close()

    def fetch_media(self, ref: str) -> MediaFile:
        """A caller's recording, with the account's credentials: only a URL of this account's
        recordings on Twilio's API (or the account's `api_base`, the simulator) gets them."""
        sid = str(self.config["account_sid"])
        base = str(self.config.get("api_base") or TWILIO_API).rstrip("/")
        url = base + ref[len(TWILIO_API):] if ref.startswith(TWILIO_API + "/") else ref
        if not url.startswith(f"{base}/2010-04-01/Accounts/{sid}/Recordings/"):
            raise ConfigError("media_url_foreign")
        return download(self.recordings.get(), url, (sid, str(self.config["auth_token"])))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Place an outbound call that speaks the message once answered (its TwiML comes
        from the account's webhook, `?announce=1`); the call's SID is the message's id."""
        if not status_callback or not status_callback.endswith("/status"):
            raise ConfigError("outbound calls need the account's status callback URL")
        webhook = status_callback.removesuffix("/status")
        try:
            call = self.twilio.get().calls.create(
                to=message.to, from_=self.address, url=f"{webhook}?announce=1",
                method="POST", status_callback=status_callback, status_callback_method="POST",
                status_callback_event=["answered", "completed"], timeout=RING_SECONDS)
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise map_error(exc) from exc
        return SendResult(str(call.sid))
