"""Client CPU per SMS send: the adapter's pooled client vs a new client per send (the old way).

Runs the Exotel SMS simulator on a local uvicorn and sends through the real adapter; the
"per-send" side closes the adapter's client after every send, so each send builds a new client
(and TLS context) as the code did before pooling. Prints medians over alternating rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from channels.contract import OutboundMessage, TemplateRef
from channels.exotel_sms import simulator
from channels.registry import build_adapter
from tests.channels.exotel_sms.server import serve

REF = TemplateRef("1107161234567890123", "en", (),
                  {"entity_id": "1101000000000004242", "header": "NGRSTU"})


def run(api_base: str, sends: int, per_send: bool) -> float:
    """CPU milliseconds per send of this process (client and the in-process server)."""
    sms = build_adapter("exotel-sms", {
        "account_sid": "bench", "api_key": "k", "api_token": "t", "webhook_secret": "w",
        "address": "+918047091234", "api_base": api_base})
    start = time.process_time()
    for n in range(sends):
        sms.send(OutboundMessage("+919876543210", f"update {n}", template=REF), None)
        if per_send:
            sms.close()
    spent = time.process_time() - start
    sms.close()
    return 1000 * spent / sends


def main() -> None:
    """Alternate the two sides for a few rounds and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    pooled: list[float] = []
    fresh: list[float] = []
    with serve(simulator.router, "/sim/exotel-sms") as fake:
        for r in range(args.rounds):
            order = (True, False) if r % 2 else (False, True)
            for per_send in order:
                (fresh if per_send else pooled).append(run(fake.api_base, args.sends, per_send))
    p, f = statistics.median(pooled), statistics.median(fresh)
    print(f"pooled client:   {p:6.2f} ms CPU/send")
    print(f"client per send: {f:6.2f} ms CPU/send")
    print(f"ratio:           {f / p:6.1f}x")


if __name__ == "__main__":
    main()
