"""The runner of an application context: Celery when it uses Celery, else a thread pool."""

from __future__ import annotations

from services.campaigns.runner import Runner, ThreadRunner, run_and_hand_on, send_config, tick
from services.context import AppContext

_EMBEDDED: dict[int, ThreadRunner] = {}


def runner_for(ctx: AppContext) -> Runner:
    """Where this context's campaign chunks run."""
    if ctx.settings.uses_celery:
        from services.campaigns.tasks import CeleryRunner

        return CeleryRunner()
    runner = _EMBEDDED.get(id(ctx))
    if runner is None:
        holder: list[ThreadRunner] = []
        runner = ThreadRunner(lambda campaign_id, test: run_and_hand_on(
            ctx.sessions, ctx.crypto, ctx.limiter, send_config(ctx.settings), holder[0],
            campaign_id, test))
        holder.append(runner)
        _EMBEDDED[id(ctx)] = runner
    return runner


def embedded_tick(ctx: AppContext) -> int:
    """The tick, for the embedded sweeper."""
    return tick(ctx.sessions, runner_for(ctx), parallel=ctx.settings.campaign_parallel,
                stall_seconds=ctx.settings.campaign_stall_seconds)
