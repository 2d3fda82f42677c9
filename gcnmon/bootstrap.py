"""The one place that creates the loops: QApplication, then the qasync loop, then Twisted on it.

Order matters: Twisted's asyncio reactor must be installed on the qasync loop before any module
imports ``twisted.internet.reactor``, or Twisted silently runs a second loop Qt never sees.
"""

from __future__ import annotations

import asyncio
import sys

__all__ = ["install_loops", "no_display_reason"]


def install_loops(argv: list[str] | None = None):
    """Create (or reuse) the QApplication and qasync loop and install Twisted's reactor on it.

    Returns ``(app, loop)``. Call it once, before importing anything that uses the reactor.
    """
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    if sys.platform == "win32":
        # qasync's default loop on Windows is a proactor without add_reader(), which Twisted's
        # asyncio reactor needs; the selector flavour has it.
        loop = qasync.QSelectorEventLoop(app)
    else:
        loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    from twisted.internet import asyncioreactor

    if "twisted.internet.reactor" not in sys.modules:
        asyncioreactor.install(eventloop=loop)
    return app, loop


def no_display_reason(command: str = "gcnmon") -> str | None:
    """Why Qt will find no screen (it would abort with a core dump instead of saying so), or None."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (f"no display (DISPLAY is not set). Run it on the desktop, or with a virtual screen: "
            f"xvfb-run -a {command} (QT_QPA_PLATFORM=offscreen runs it with no window at all)")
