"""Alert streams in: VTP (Comet brokers, gcnmon relays) and GCN Kafka."""

__all__: list[str] = []
