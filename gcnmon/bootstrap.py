"""The one place that creates the loops: QApplication, then the qasync loop, then Twisted on it.

Order matters: Twisted's asyncio reactor must be installed on the qasync loop before any module
imports ``twisted.internet.reactor``, or Twisted silently runs a second loop Qt never sees.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys

__all__ = ["install_loops", "no_display_reason", "program", "missing_system_library"]


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


def program() -> str:
    """This gcnmon, as a command that works when pasted: the absolute path of the running script
    (``.venv/bin/gcnmon`` is rarely on PATH), else ``python -m gcnmon`` with this interpreter."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    name = os.path.basename(script)
    if name.startswith("gcnmon") and not name.endswith(".py") and os.access(script, os.X_OK):
        return script
    return f"{sys.executable} -m gcnmon"


def no_display_reason(arguments: str = "") -> str | None:
    """Why Qt will find no screen (it would abort with a core dump instead of saying so), or None.

    ``arguments``: the subcommand and options to repeat in the hint (``"demo"``).
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    command = f"{program()} {arguments}".strip()
    return (f"no display (DISPLAY is not set). Run it on the desktop, or with a virtual screen: "
            f"xvfb-run -a {command} (QT_QPA_PLATFORM=offscreen runs it with no window at all)")


#: An ImportError from the dynamic loader: a shared library (Qt's system dependencies) is absent.
_LOADER_ERROR = re.compile(r"(lib[\w.+-]*\.so[\w.]*): (.*)")


def missing_system_library(exc: BaseException) -> str | None:
    """One line for an ImportError that is a missing (or broken) system library, else None.

    A ``pip install`` without the Debian packages imports PySide6 fine until Qt's own libraries look
    for ``libglib-2.0.so.0`` and friends; say what to run instead of showing the traceback.
    """
    if not isinstance(exc, ImportError):
        return None
    found = _LOADER_ERROR.search(str(exc))
    if found is None:
        return None
    return (f"a system library Qt needs is missing ({found.group(1)}: {found.group(2)}). On Debian or "
            f"Ubuntu run `bash packaging/debian/setup.sh` from the gcnmon checkout (it prints the apt-get "
            f"line for an administrator if you have no sudo)")
