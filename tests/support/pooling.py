"""Checks that a client kept its connection: requests seen by the local test servers."""

from __future__ import annotations

from tests.support.sim_server import CONNECTIONS


def connections_used(path_prefix: str, requests: int) -> set[int]:
    """The client ports (connections) the requests under `path_prefix` came on, after
    checking that exactly `requests` of them arrived."""
    ports = CONNECTIONS.ports(path_prefix)
    assert len(ports) == requests, f"expected {requests} requests to {path_prefix}: {ports}"
    return set(ports)
