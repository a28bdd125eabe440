"""The web chat widget's JSON wire format."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WidgetMessage(BaseModel):
    """A message typed or a button pressed in the web chat widget."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(default="", max_length=2000)
    payload: str | None = Field(default=None, max_length=200)
