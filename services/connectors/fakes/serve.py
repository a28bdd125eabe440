"""Running a fake platform as its own process: `python -m services.connectors.fakes.<name>`."""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI


def run(app: FastAPI, description: str) -> None:
    """Serve `app` on the port asked for (localhost only: a fake has no authentication
    worth the name)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args()
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning")
