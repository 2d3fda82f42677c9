"""VOEvent Transport Protocol on Twisted: the subscriber (workstation) and the broker (replay, relay)."""

__all__: list[str] = []
