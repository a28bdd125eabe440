"""Exotel voice adapter: Passthru and programmable Gather applets of an Exotel call flow.

Exotel signs nothing, so every URL configured in the flow carries the account's secret in its
**path** (`…/s/<token>`): Exotel's dynamic-URL applets may rewrite a URL's query string, so a
secret there could be lost. The secret is compared in constant time; a request without the
right one is refused (403). The old form, `?token=…`, is still accepted, with a deprecation
warning in the log (docs/channels/ivr.md). The flow:

    call → Passthru  …/webhooks/exotel-voice/<account>/s/T               starts the conversation
         → Gather    …/webhooks/exotel-voice/<account>/s/T/prompt        what to say (JSON)
         → Passthru  …/webhooks/exotel-voice/<account>/s/T               the keys pressed
              200 → back to the Gather applet
              302 (nothing pressed, twice) → Passthru …/s/T/prompt/route
                   200 → Voicemail (records) → the input Passthru again (RecordingUrl)
                   302 → goodbye Greeting → Hangup

The Passthru applet cannot carry a step number, so its answers reach the gateway as bare
`CallSid` events and the gateway numbers them after the last prompt the Gather applet fetched.
A Gather that timed out reaches the Passthru with `digits=""`, or with no digits at all (which
the gateway tells from the call's start by the prompts already served): either is *no input*.
The prompt is said once more, led by `ivr.no_input`, then the call ends politely.

Exotel's TTS speaks in the language chosen in the Gather applet's settings, not the prompt's:
`tts_language` (default `en`) says which that is, and a prompt in any other language is played
from the gateway's own clips (`audio_url`).

`send` places an outbound call with the Connect API ("connect a number to a call flow"): the
citizen's phone rings and, answered, is connected to the account's flow (`outbound_app_id`,
normally the same IVR flow). Its first Passthru and Gather fetch are answered with the
message (the gateway knows the call by its CallSid), the Passthru's keys then say 1 to hear it
again or 0 for the main menu. The call's StatusCallback (Connect's own payload: CallSid,
Status, EventType) updates the message: answered or completed is delivered, busy, no-answer
or failed fail it with that reason. A recording is played as the Gather's `audio_url`; its
spoken hint (press 1, press 0) cannot be joined to it, so a city's recording should say it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx
from pydantic import ValidationError

from channels.base import ChannelAdapter, ReplyContext
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
from channels.errors import BadSignature, ConfigError, MalformedPayload, ProviderDown
from channels.exotel_sms.client import EXOTEL_API, post_form
from channels.exotel_voice.payloads import (
    ENDED,
    OUTBOUND_STATUS,
    UNANSWERED,
    AppletCall,
    ConnectStatus,
)
from channels.http import pooled_http
from channels.recordings import download, recording_client
from channels.voice import (
    ANNOUNCE_CONTEXT,
    NO_INPUT,
    Listen,
    Utterance,
    announcement,
    flag,
    heard,
    listen_for,
    tts_text,
    utter,
)
from i18n import KNOWN
from i18n.voice import Provider, clips, voice_for

log = logging.getLogger(__name__)
OK = WebhookResponse(200, "OK", "text/plain")
OTHER_BRANCH = WebhookResponse(302, "", "text/plain")
"""A Passthru's "302 Found": the flow takes the applet's second transition."""
SECRET_SEGMENT = "s"  # noqa: S105  the path segment before the secret, not a secret
"""`…/<account>/s/<token>[/prompt[/route] | /status]`: the secret is a path segment."""
KEY_TIMEOUT = 5
NUMBER_TIMEOUT = 5
RECORD_TIMEOUT = 3
"""Seconds the Gather waits (`input_timeout`). Exotel's documented default is 5; a value of 10
was reported refused, and we could not read the accepted range, so nothing goes above 5."""
ACCEPTED_TIMEOUTS = range(1, 6)
REPEATS = 1
"""Times a prompt is said again after nothing was pressed, before the call ends."""
MAX_NUMBER_DIGITS = 15
EXOTEL_DOMAINS = (".exotel.com", ".exotel.in")
"""Hosts that get the account's API credentials with a recording download."""
FLOW_BASE = "http://my.exotel.com"
"""Where Exotel's flow URLs live (`…/<sid>/exoml/start_voice/<app id>`): the Connect API's
documented `Url` form."""
RING_SECONDS = 30
CALL_SECONDS = 600
"""An outbound call's ring time and its longest duration (Exotel's TimeOut, TimeLimit)."""
CALL_RATE = RateLimit(1)
"""Calls placed per second unless the account's `mps` says otherwise."""
OUTBOUND_FIELDS = ("account_sid", "api_key", "api_token", "outbound_app_id")
PLACED = "placed"
"""`?placed=1` on the StatusCallback of a call we placed (the flow's own call-end Passthru,
with the same Status field, reports calls to us)."""


class Adapter(ChannelAdapter):
    """Calls to an ExoPhone. Config: token (the secret in every flow URL's path), address (the
    ExoPhone); `tts` (speak with Exotel's TTS where it can; default true), `tts_language` (the
    language of the Gather applet's TTS setting; default en), `missed_call` and
    `missed_call_reply_channel` as on Twilio voice. Outbound calls also need `account_sid`,
    `api_key`, `api_token`, `outbound_app_id` (the flow a called citizen is connected to) and,
    for the Mumbai cluster, `api_base` (`https://api.in.exotel.com`)."""

    channel_type = "exotel-voice"
    medium = Medium.VOICE
    capabilities = Capabilities(voice=True, recording=True, synchronous=True, page_size=8,
                                account_rate=CALL_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"token", "api_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"token", "address"})
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})
    path_secret: ClassVar[bool] = True

    # -- webhooks ------------------------------------------------------------------------------
    def _secret(self, request: WebhookRequest,
                pairs: list[tuple[str, str]]) -> tuple[bool, list[str]]:
        """Whether the URL carries the account's secret; and the path after it."""
        secret = str(self.config["token"]).encode()
        segments = urlsplit(request.url).path.split("/")
        if SECRET_SEGMENT in segments[:-1]:
            at = segments.index(SECRET_SEGMENT)
            given = unquote(segments[at + 1]).encode()
            return bool(given) and hmac.compare_digest(given, secret), segments[at + 2:]
        tokens = [value.encode() for name, value in pairs if name == "token"]
        if len(tokens) != 1 or not tokens[0] or not hmac.compare_digest(tokens[0], secret):
            return False, []
        log.warning("exotel-voice: the secret came as ?token= (deprecated: Exotel may rewrite "
                    "the query); move it into the path, …/s/<token>")
        return True, []

    def _params(self, request: WebhookRequest) -> tuple[dict[str, str], list[str]]:
        """Query parameters (and a form body, if any) once the URL's secret is right; and the
        path after the secret (`prompt`, `route`)."""
        pairs = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
        if request.method == "POST" and request.body:
            try:
                pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                raise MalformedPayload("body is not UTF-8") from None
        good, tail = self._secret(request, pairs)
        if not good:
            raise BadSignature("missing or wrong token")
        return {name: value for name, value in pairs if name != "token"}, tail

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """A Passthru (`inbound`), a Gather or routing fetch (`prompt`), a call status."""
        if kind not in ("inbound", "prompt", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        params, tail = self._params(request)
        if kind == "status" and (params.get(PLACED) == "1"
                                 or "json" in (request.header("content-type") or "").lower()):
            return self._placed(request, {k: v for k, v in params.items() if k != PLACED})
        try:
            call = AppletCall.model_validate(params)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        if kind == "status":
            return self._ended(call)
        if kind == "prompt":
            applet = tail[1] if len(tail) > 1 and tail[1] else params.get("applet", "gather")
            event = InboundEvent(call.call_sid, call.sender, call.to, payload=applet,
                                 session=call.call_sid)
            return WebhookResult((event,), OK)
        return self._passthru(call)

    def _passthru(self, call: AppletCall) -> WebhookResult:
        """The call arriving, keys pressed, a recording made, or nothing pressed at all."""
        sid, pressed = call.call_sid, call.pressed
        if call.recording_url:  # the gateway names it in the language of the prompt it answers
            event = InboundEvent(sid, call.sender, call.to, media_urls=(call.recording_url,),
                                 session=sid)
        elif pressed:
            event = InboundEvent(sid, call.sender, call.to, text=pressed, session=sid)
        elif pressed is not None:
            event = InboundEvent(sid, call.sender, call.to, kind=EventKind.NO_INPUT, session=sid)
        elif (flag(self.config.get("missed_call"))
              or call.call_status.lower() in UNANSWERED):
            event = InboundEvent(f"{sid}:missed", call.sender, call.to,
                                 kind=EventKind.MISSED_CALL, session=sid)
        else:
            event = InboundEvent(f"{sid}:0", call.sender, call.to, kind=EventKind.CALL_STARTED,
                                 session=sid)
        return WebhookResult((event,), OK)

    @staticmethod
    def _placed(request: WebhookRequest, params: dict[str, str]) -> WebhookResult:
        """The StatusCallback of a call we placed (a form, or JSON): its message's status."""
        content_type = (request.header("content-type") or "").lower()
        if request.body and "json" in content_type:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise MalformedPayload("status body is not JSON") from None
            if not isinstance(body, dict):
                raise MalformedPayload("status body is not an object")
            params = {**params, **{k: str(v) for k, v in body.items()
                                   if isinstance(v, str | int | float)}}
        try:
            placed = ConnectStatus.model_validate(params)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        status = ("in-progress" if placed.event_type.lower() == "answered"
                  else placed.status.lower())
        mapped = OUTBOUND_STATUS.get(status)
        if mapped is None:
            return WebhookResult((), OK, ignored=f"outbound call status {status or 'missing'}")
        return WebhookResult((StatusUpdate(placed.call_sid, mapped[0], mapped[1]),), OK)

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
        """A Passthru goes on to the Gather applet (after nothing pressed: once more, else the
        routing branch); a prompt fetch gets the Gather JSON, a routing fetch 200 when the
        prompt waits for a recording (else 302: goodbye)."""
        if context.kind == ANNOUNCE_CONTEXT:
            return self._announce(event, replies, context)
        if event.kind is EventKind.NO_INPUT:
            listen = (listen_for(replies[-1], self.capabilities.recording) if replies
                      else Listen.NOTHING)
            again = listen in (Listen.KEY, Listen.NUMBER) and context.no_input <= REPEATS
            return OK if again else OTHER_BRANCH
        if context.kind != "prompt" or not replies:
            return OK
        message = replies[-1]
        listen = listen_for(message, self.capabilities.recording)
        if event.payload == "route":
            return OK if listen is Listen.RECORD else OTHER_BRANCH
        said = [u for reply in replies
                for u in heard(reply, self.capabilities.recording, context.page)]
        if context.no_input and listen in (Listen.KEY, Listen.NUMBER):
            said = [utter(_code(message.language), NO_INPUT), *said]
        body = self._gather(listen, said, message.language, context)
        return WebhookResponse(200, json.dumps(body, ensure_ascii=False), "application/json")

    def _announce(self, event: InboundEvent, replies: Sequence[OutboundMessage],
                  context: ReplyContext) -> WebhookResponse:
        """A call we placed, playing its message: the Gather fetch gets the message and its
        keys (one key), the Passthru goes on to the Gather (200); silence, the routing fetch,
        or a message played enough (`NO_INPUT`) take the goodbye branch (302)."""
        if event.kind is EventKind.NO_INPUT or not replies or event.payload == "route":
            return OTHER_BRANCH
        if event.payload is None:  # the Passthru: on to the Gather applet
            return OK
        message = replies[-1]
        prompt = ({"audio_url": message.media_url} if message.media_url
                  else self._prompt(announcement(message), message.language, context))
        body = {"gather_prompt": prompt, "finish_on_key": "#", "max_input_digits": 1,
                "input_timeout": KEY_TIMEOUT}
        return WebhookResponse(200, json.dumps(body, ensure_ascii=False), "application/json")

    def _gather(self, listen: Listen, said: list[Utterance], language: str,
                context: ReplyContext) -> dict[str, Any]:
        """The programmable Gather applet's parameters for one prompt. Nothing pressed reaches
        the Passthru, which repeats the prompt itself (in the caller's language), so the
        applet's own repeat is not used."""
        body: dict[str, Any] = {"gather_prompt": self._prompt(said, language, context),
                                "finish_on_key": "#"}
        if listen is Listen.RECORD:  # nothing to press: silence leads on to the recording
            return {**body, "max_input_digits": 1, "input_timeout": RECORD_TIMEOUT}
        number = listen is Listen.NUMBER
        return {**body, "max_input_digits": MAX_NUMBER_DIGITS if number else 1,
                "input_timeout": NUMBER_TIMEOUT if number else KEY_TIMEOUT}

    def applet_language(self) -> str:
        """The language set for TTS in the Gather applet (Exotel reads every text in it)."""
        code = str(self.config.get("tts_language") or "en").strip()
        return code if code in KNOWN else "en"

    def _prompt(self, said: list[Utterance], language: str,
                context: ReplyContext) -> dict[str, str]:
        """`{"text": …}` for Exotel's TTS when everything is said in the applet's language
        (and Exotel speaks it), else one `{"audio_url": …}` joining the gateway's clips
        (8 kHz WAV, as Exotel requires)."""
        text = tts_text(said)
        spoken = {u.language for u in said}
        applet = self.applet_language()
        if (flag(self.config.get("tts"), default=True) and spoken == {applet}
                and voice_for(applet, Provider.EXOTEL).tts_voice):
            return {"text": text}
        pieces = [(u.language, clip) for u in said for clip in clips(u.plan)]
        url = context.clips.joined(_code(language), pieces)
        if url:
            return {"audio_url": url}
        log.warning("exotel-voice: no clips for a %s prompt; Exotel's %s voice reads it",
                    language, applet)
        return {"text": text}

    def __init__(self, config: AccountConfig,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(config)
        self.recordings = recording_client()
        self.http = pooled_http(transport=transport)

    def close(self) -> None:
        """Close the recording downloads' and the API client's kept-alive connections."""
        self.recordings.close()
        self.http.close()

    def fetch_media(self, ref: str) -> MediaFile:
        """A caller's recording. Since October 2024 Exotel serves recordings to the account's
        API key and token (or whitelisted IPs): with `api_key` and `api_token` set they are
        sent, over HTTPS to Exotel's own hosts only; a public URL needs neither."""
        key, secret = self.config.get("api_key"), self.config.get("api_token")
        host = (urlsplit(ref).hostname or "").lower()
        exotel = ref.startswith("https://") and host.endswith(EXOTEL_DOMAINS)
        auth = (str(key), str(secret)) if key and secret and exotel else None
        return download(self.recordings.get(), ref, auth)

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Place an outbound call connecting the citizen to the account's flow, which plays
        the message; the call's CallSid is the message's id."""
        missing = [f for f in OUTBOUND_FIELDS if not self.config.get(f)]
        if missing:
            raise ConfigError("outbound calls need " + ", ".join(missing))
        if not status_callback or not status_callback.endswith("/status"):
            raise ConfigError("outbound calls need the account's status callback URL")
        sid = str(self.config["account_sid"])
        secret = quote(str(self.config["token"]), safe="")
        callback = (f"{status_callback.removesuffix('/status')}/{SECRET_SEGMENT}/{secret}"
                    f"/status?{PLACED}=1")
        flow = f"{FLOW_BASE}/{sid}/exoml/start_voice/{self.config['outbound_app_id']}"
        form = {"From": message.to, "CallerId": self.address, "Url": flow, "CallType": "trans",
                "TimeOut": str(RING_SECONDS), "TimeLimit": str(CALL_SECONDS),
                "StatusCallback": callback, "StatusCallbackContentType": "application/json",
                "StatusCallbackEvents[0]": "terminal", "StatusCallbackEvents[1]": "answered",
                "CustomField": message.reference}
        base = str(self.config.get("api_base") or EXOTEL_API).rstrip("/")
        data = post_form(self.http.get(), f"{base}/v1/Accounts/{sid}/Calls/connect.json", form,
                         (str(self.config["api_key"]), str(self.config["api_token"])))
        call = data.get("Call")
        placed = call.get("Sid") if isinstance(call, dict) else None
        if not placed:
            raise ProviderDown("exotel answered without a call Sid")
        return SendResult(str(placed))


def _code(language: str) -> str:
    """A language the voice tables know."""
    return language if language in KNOWN else "en"
