"""The Open311 resources as models, for the OpenAPI document (answers are built as plain
data in both formats; these describe the JSON, and XML carries the same fields)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Service(BaseModel):
    """One entry of GET services."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValue(BaseModel):
    """One choice of a list attribute."""

    key: str
    name: str


class Attribute(BaseModel):
    """One attribute of a service definition."""

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(BaseModel):
    """GET a service definition."""

    service_code: str
    attributes: list[Attribute]


class ServiceRequest(BaseModel):
    """A service request; fields only staff may see are null in public answers."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str
    address_id: str
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Created(BaseModel):
    """The answer to POST requests."""

    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None


class TokenAnswer(BaseModel):
    """GET tokens/{token}."""

    service_request_id: str
    token: str


class ErrorItem(BaseModel):
    """The spec's error: `code` is the HTTP status, `description` a stable error code."""

    code: int
    description: str


class Endpoint(BaseModel):
    """One endpoint of the discovery document."""

    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(BaseModel):
    """The service discovery document."""

    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


XML = {"text/xml": {"schema": {"type": "string", "description": "the same, as XML"}}}


def ok(model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answer in JSON (the model) and XML."""
    return {200: {"model": model, "description": description, "content": XML}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The spec's error answers for the given statuses, JSON and XML."""
    return {status: {"model": list[ErrorItem], "description": "Open311 errors", "content": XML}
            for status in statuses}
