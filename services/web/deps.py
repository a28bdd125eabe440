"""Request dependencies: the app context, a DB session, the staff principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from services.context import AppContext
from services.staff.auth import Principal, authenticate

_bearer = HTTPBearer(auto_error=False)


async def get_ctx(request: Request) -> AppContext:
    """The context the app was built with (async: FastAPI would run a plain function in a
    worker thread for every request that asks for it)."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_db(ctx: Annotated[AppContext, Depends(get_ctx)]) -> Iterator[Session]:
    """A database session for one request."""
    with ctx.sessions() as db:
        yield db


def get_principal(
    db: Annotated[Session, Depends(get_db)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The staff member presenting a valid key; 401 otherwise."""
    principal = authenticate(db, creds.credentials) if creds else None
    if principal is None:
        raise HTTPException(401, detail={"code": "unauthenticated"},
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


CtxDep = Annotated[AppContext, Depends(get_ctx)]
DbDep = Annotated[Session, Depends(get_db)]
StaffDep = Annotated[Principal, Depends(get_principal)]
