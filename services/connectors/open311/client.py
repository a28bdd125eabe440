"""An Open311 GeoReport v2 server over HTTP (JSON format), as the specification defines it.

`GET /services.json`, `POST /requests.json` (form-encoded, `api_key`, location by `lat` and
`long` or `address_string`), `GET /requests.json` (comma-separated `service_request_id`,
`service_code`, `start_date`, `end_date`, `status`), `GET /requests/{id}.json` and
`GET /tokens/{token}.json`. Errors are a list of `{code, description}` with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.connectors.errors import Refused
from services.connectors.http import PlatformClient, call


class Open311Client(PlatformClient):
    """One GeoReport v2 endpoint (`base_url` is the API root that holds `services.json`)."""

    def _jurisdiction(self) -> dict[str, str]:
        """`jurisdiction_id` when the server serves several."""
        found = str(self.settings.config.get("jurisdiction_id") or "")
        return {"jurisdiction_id": found} if found else {}

    def _list(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """GET a JSON list."""
        body = call(lambda: self.http.get(self.base + path,
                                          params={**self._jurisdiction(), **(params or {})}))
        if not isinstance(body, list):
            raise Refused("platform_bad_answer")
        return [dict(item) for item in body if isinstance(item, Mapping)]

    def services(self) -> list[dict[str, Any]]:
        """The server's service list (code, name, metadata, type)."""
        return self._list("/services.json")

    def create(self, form: Mapping[str, str]) -> dict[str, Any]:
        """POST one request, form-encoded with the API key; the first answer item
        (`service_request_id`, or a `token` to look up later)."""
        data = {**self._jurisdiction(), **form}
        if self.settings.config.get("api_key"):
            data["api_key"] = str(self.settings.config["api_key"])
        body = call(lambda: self.http.post(self.base + "/requests.json", data=data))
        if not isinstance(body, list) or not body or not isinstance(body[0], Mapping):
            raise Refused("platform_bad_answer")
        return dict(body[0])

    def token(self, token: str) -> dict[str, Any] | None:
        """What a token became (its `service_request_id` once the server assigned one)."""
        found = self._list(f"/tokens/{token}.json")
        return found[0] if found else None

    def requests(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Requests matching the search parameters."""
        return self._list("/requests.json", params)

    def request(self, request_id: str) -> dict[str, Any] | None:
        """One request by id (None when the server has no such request)."""
        try:
            found = self._list(f"/requests/{request_id}.json")
        except Refused as exc:
            if exc.status == 404:
                return None
            raise
        return found[0] if found else None
