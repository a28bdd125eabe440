"""`GET /audio/{language}/{clip}.wav`: the clips a provider's `<Play>` (or Exotel) fetches.

`?tenant=pb.amritsar` prefers that city's recording, then its state's (`pb`), then the rendered
clip. Anything else answers 404 `{"detail": {"code": "clip_not_found"}}`: an unknown language,
a malformed clip id or tenant (so no path can leave the audio directory), or a missing file.
Clips are cacheable for a day; a rebuilt clip keeps its URL, so callers that need a change heard
at once append the manifest hash (`clip_url`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse

from i18n.languages import KNOWN
from services.audio.store import TENANT, ClipStore, audio_root, valid_clip
from services.settings import Settings
from services.web.deps import CtxDep

MEDIA_TYPE = "audio/wav"
CACHE_CONTROL = "public, max-age=86400"

router = APIRouter(tags=["voice"])


def _not_found() -> HTTPException:
    """The one answer for every clip that cannot be served."""
    return HTTPException(404, detail={"code": "clip_not_found"})


@router.get("/audio/{language}/{clip}.wav", response_class=FileResponse,
            responses={200: {"content": {MEDIA_TYPE: {}}}, 404: {"description": "no such clip"}})
def clip_file(language: str, clip: str, ctx: CtxDep,
              tenant: Annotated[str | None, Query(description="city or state whose recordings "
                                                              "replace rendered clips")] = None,
              ) -> FileResponse:
    """One audio clip (8 kHz mono 16-bit WAV)."""
    if language not in KNOWN or not valid_clip(clip):
        raise _not_found()
    if tenant is not None and not TENANT.fullmatch(tenant):
        raise _not_found()
    store = ClipStore(audio_root(ctx.settings))
    path = store.find(language, clip, tenant)
    if path is None or not path.resolve().is_relative_to(store.root.resolve()):
        raise _not_found()
    return FileResponse(path, media_type=MEDIA_TYPE, headers={"Cache-Control": CACHE_CONTROL})


def clip_url(settings: Settings, language: str, clip: str, tenant: str | None = None) -> str:
    """The public URL of a clip, versioned by its manifest hash so a rebuild changes the URL."""
    store = ClipStore(audio_root(settings))
    version = str(store.read_manifest(language).get(clip, {}).get("hash", ""))[:12]
    query = "&".join(q for q in (f"v={version}" if version else "",
                                 f"tenant={tenant}" if tenant else "") if q)
    return f"{settings.base_url}/audio/{language}/{clip}.wav" + (f"?{query}" if query else "")
