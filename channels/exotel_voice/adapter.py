"""Exotel voice adapter: Passthru and programmable Gather applets of an Exotel call flow.

Exotel signs nothing, so every URL configured in the flow carries the account's secret
(`?token=…`); a request without the right token is refused (403). The flow (docs/channels/ivr.md):

    call → Passthru  …/webhooks/exotel-voice/<account>?token=T        starts the conversation
         → Gather    …/webhooks/exotel-voice/<account>/prompt?token=T  what to say (JSON)
         → Passthru  …/webhooks/exotel-voice/<account>?token=T        the keys pressed
              200 → back to the Gather applet
              302 (nothing pressed) → Passthru …/prompt?token=T&applet=route
                   200 → Voicemail (records) → the input Passthru again (RecordingUrl)
                   302 → goodbye Greeting → Hangup

The Passthru applet cannot carry a step number, so its answers reach the gateway as bare
`CallSid` events and the gateway numbers them after the last prompt the Gather applet fetched.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from channels.base import ChannelAdapter, ReplyContext
from channels.contract import (
    Capabilities,
    EventKind,
    InboundEvent,
    Medium,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError, MalformedPayload
from channels.exotel_voice.payloads import ENDED, UNANSWERED, AppletCall
from channels.voice import (
    NO_INPUT,
    Listen,
    Utterance,
    flag,
    heard,
    listen_for,
    recording_text,
    tts_text,
    utter,
)
from i18n import KNOWN
from i18n.voice import Provider, clips, voice_for

OK = WebhookResponse(200, "OK", "text/plain")
OTHER_BRANCH = WebhookResponse(302, "", "text/plain")
"""A Passthru's "302 Found": the flow takes the applet's second transition."""
KEY_TIMEOUT = 6
NUMBER_TIMEOUT = 10
REPEATS = 2
MAX_NUMBER_DIGITS = 15


class Adapter(ChannelAdapter):
    """Calls to an ExoPhone. Config: token (the secret in every flow URL), address (the
    ExoPhone); `tts` (speak with Exotel's TTS where it has the language; default true),
    `missed_call` and `missed_call_reply_channel` as on Twilio voice."""

    channel_type = "exotel-voice"
    medium = Medium.VOICE
    capabilities = Capabilities(voice=True, recording=True, synchronous=True, page_size=8)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"token", "address"})
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})

    # -- webhooks ------------------------------------------------------------------------------
    def _params(self, request: WebhookRequest) -> dict[str, str]:
        """Query parameters (and a form body, if any) once the URL's token is right."""
        pairs = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
        if request.method == "POST" and request.body:
            try:
                pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                raise MalformedPayload("body is not UTF-8") from None
        tokens = [value.encode() for name, value in pairs if name == "token"]
        secret = str(self.config["token"]).encode()
        if len(tokens) != 1 or not tokens[0] or not hmac.compare_digest(tokens[0], secret):
            raise BadSignature("missing or wrong token")
        return {name: value for name, value in pairs if name != "token"}

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """A Passthru (`inbound`), a Gather or routing fetch (`prompt`), a call status."""
        if kind not in ("inbound", "prompt", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        params = self._params(request)
        try:
            call = AppletCall.model_validate(params)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        if kind == "status":
            return self._ended(call)
        if kind == "prompt":
            applet = params.get("applet", "gather")
            event = InboundEvent(call.call_sid, call.sender, call.to, payload=applet,
                                 session=call.call_sid)
            return WebhookResult((event,), OK)
        return self._passthru(call)

    def _passthru(self, call: AppletCall) -> WebhookResult:
        """The call arriving, keys pressed, a recording made, or nothing pressed at all."""
        sid, pressed = call.call_sid, call.pressed
        if call.recording_url:
            text = recording_text("en", call.recording_url)
            event = InboundEvent(sid, call.sender, call.to, text=text,
                                 media_urls=(call.recording_url,), session=sid)
        elif pressed:
            event = InboundEvent(sid, call.sender, call.to, text=pressed, session=sid)
        elif pressed is not None:
            return WebhookResult((), OTHER_BRANCH, ignored="nothing pressed")
        elif (flag(self.config.get("missed_call"))
              or call.call_status.lower() in UNANSWERED):
            event = InboundEvent(f"{sid}:missed", call.sender, call.to,
                                 kind=EventKind.MISSED_CALL, session=sid)
        else:
            event = InboundEvent(f"{sid}:0", call.sender, call.to, kind=EventKind.CALL_STARTED,
                                 session=sid)
        return WebhookResult((event,), OK)

    @staticmethod
    def _ended(call: AppletCall) -> WebhookResult:
        """The call's final status as a CALL_ENDED event (payload: the status)."""
        status = call.call_status.lower()
        if status not in ENDED:
            return WebhookResult((), OK, ignored=f"call status {status or 'missing'}")
        event = InboundEvent(f"{call.call_sid}:end", call.sender, call.to, payload=status,
                             kind=EventKind.CALL_ENDED, session=call.call_sid)
        return WebhookResult((event,), OK)

    # -- answers -------------------------------------------------------------------------------
    def respond(self, event: InboundEvent, replies: Sequence[OutboundMessage],
                context: ReplyContext) -> WebhookResponse:
        """A Passthru goes on to the Gather applet; a prompt fetch gets the Gather JSON, a
        routing fetch 200 when the prompt waits for a recording (else 302: goodbye)."""
        if context.kind != "prompt" or not replies:
            return OK
        message = replies[-1]
        listen = listen_for(message, self.capabilities.recording)
        if event.payload == "route":
            return OK if listen is Listen.RECORD else OTHER_BRANCH
        said = [u for reply in replies for u in heard(reply, self.capabilities.recording)]
        body = self._gather(listen, said, message.language, context)
        return WebhookResponse(200, json.dumps(body, ensure_ascii=False), "application/json")

    def _gather(self, listen: Listen, said: list[Utterance], language: str,
                context: ReplyContext) -> dict[str, Any]:
        """The programmable Gather applet's parameters for one prompt."""
        body: dict[str, Any] = {"gather_prompt": self._prompt(said, language, context),
                                "finish_on_key": "#"}
        if listen is Listen.RECORD:  # nothing to press: silence leads on to the recording
            return {**body, "max_input_digits": 1, "input_timeout": 1}
        if listen is Listen.NOTHING:
            return {**body, "max_input_digits": 1, "input_timeout": KEY_TIMEOUT}
        again = [utter(_code(language), NO_INPUT), *said]
        number = listen is Listen.NUMBER
        return {**body, "max_input_digits": MAX_NUMBER_DIGITS if number else 1,
                "input_timeout": NUMBER_TIMEOUT if number else KEY_TIMEOUT,
                "repeat_menu": REPEATS,
                "repeat_gather_prompt": self._prompt(again, language, context)}

    def _prompt(self, said: list[Utterance], language: str,
                context: ReplyContext) -> dict[str, str]:
        """`{"text": …}` for Exotel's TTS when one language it speaks is said, else one
        `{"audio_url": …}` joining the clips (8 kHz WAV, as Exotel requires)."""
        text = tts_text(said)
        spoken = {u.language for u in said}
        if (flag(self.config.get("tts"), default=True) and len(spoken) == 1
                and voice_for(spoken.pop(), Provider.EXOTEL).tts_voice):
            return {"text": text}
        pieces = [(u.language, clip) for u in said for clip in clips(u.plan)]
        url = context.clips.joined(_code(language), pieces)
        return {"audio_url": url} if url else {"text": text}

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Calls are answered through the flow's applets; this channel sends nothing itself."""
        raise ConfigError(f"{self.channel_type} replies in the webhook response only")


def _code(language: str) -> str:
    """A language the voice tables know."""
    return language if language in KNOWN else "en"
