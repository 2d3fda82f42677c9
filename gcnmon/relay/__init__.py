"""The relay: one upstream (GCN Kafka or VTP), every new notice rebroadcast to the workstations over VTP."""

__all__: list[str] = []
