"""Subcommands of the ``gcnmon`` console script, one module each (see ``gcnmon.cli``)."""

__all__: list[str] = []
