"""The Qt user interface: main window, alert dialog, sky map. The only package that imports Qt."""

__all__: list[str] = []
