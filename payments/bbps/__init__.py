"""The biller side of a BBPS (Bharat Connect) aggregator's JSON contract (Setu's biller API)."""
