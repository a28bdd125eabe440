"""The web chat widget's JSON wire format."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WidgetLocation(BaseModel):
    """The browser's position (Geolocation API), in degrees."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class WidgetMessage(BaseModel):
    """A message typed, a button pressed, a photo or a location sent in the web chat widget."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(default="", max_length=2000)
    payload: str | None = Field(default=None, max_length=200)
    photo: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    """The id `POST /webchat/photos/{account}` gave the uploaded photo."""
    location: WidgetLocation | None = None
