"""``gcnmon demo``: the whole monitor offline: real notices replayed on loopback, a TCS simulator, the GUI."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "demo"
HELP = "try gcnmon offline: real notices replayed locally, a simulated telescope, the monitor window"

log = logging.getLogger(__name__)

EPILOG = """\
What happens: a local VTP stream (127.0.0.1, a free port) replays real GCN notices shipped with
gcnmon: an SVOM/ECLAIRs burst (an alarm and a dialog: click "Send and Slew" and watch the simulated
telescope in the status bar), a Fermi GBM series that is only listed while that dialog is open, a
refinement of the SVOM position, then its retraction. The SVOM position is moved to a point that is
up at the site now, so the altitude check passes; the log book says so. Close the window (or Ctrl+C)
to quit. Nothing is sent to the internet.
"""


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


#: The simulated telescopes (keys of ``gcnmon.demo.session.TELESCOPES``, checked by a test), named here
#: so that building the CLI does not import the demo package and with it astropy (1-2 s per command).
TELESCOPE_CHOICES = ("alpaca", "bta", "zeiss")

#: Steps in the story (``len(gcnmon.demo.STORY)``, checked by a test) and the seconds the window, the
#: simulated TCS and the first notice take to come up, with room to see the last step.
STORY_STEPS = 7
START_AND_LAST_LOOK = 20.0
WHOLE_STORY = -1.0  # ``--quit-after`` given alone


def story_seconds(interval: float) -> float:
    """How long one telling of the story lasts, start-up and a look at its last step included."""
    return (STORY_STEPS - 1) * interval + START_AND_LAST_LOOK


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--tel", choices=TELESCOPE_CHOICES, default="zeiss",
                        help="simulated TCS: Zeiss-1000 XML-RPC (default), BTA HTTP/CGI or ASCOM Alpaca")
    parser.add_argument("--interval", type=_positive, default=10.0, metavar="S",
                        help="seconds between two notices of the story (default 10)")
    parser.add_argument("--loop", action="store_true", help="tell the story again and again")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep the archive, log book and config in DIR (default: a temporary folder)")
    parser.add_argument("--mute", action="store_true", help="no alarm sound")
    parser.add_argument("--quit-after", type=_positive, nargs="?", const=WHOLE_STORY, metavar="S",
                        help="quit by itself after S seconds; alone: once the story is told "
                        f"({story_seconds(10.0):.0f} s at the default interval)")


def run(args: argparse.Namespace) -> int:
    from ..bootstrap import install_loops, no_display_reason

    problem = no_display_reason("demo")
    if problem:
        print(f"gcnmon demo: {problem}", file=sys.stderr)
        return 2
    whole = story_seconds(args.interval)
    if args.quit_after == WHOLE_STORY:
        args.quit_after = whole
    elif args.quit_after and args.quit_after < whole and not args.loop:
        print(f"gcnmon demo: --quit-after {args.quit_after:g} ends before the story does (its "
              f"{STORY_STEPS} steps take about {whole:.0f} s at --interval {args.interval:g}); "
              f"--quit-after alone waits for the whole story", file=sys.stderr)
    qapp, loop = install_loops(sys.argv)
    from twisted.internet import reactor

    from ..demo import start_demo

    qapp.setQuitOnLastWindowClosed(False)  # quitting goes through the reactor, which stops the demo first
    result = {"code": 0}

    def say(text: str) -> None:
        print(f"gcnmon demo: {text}", flush=True)

    def stop() -> None:
        if reactor.running:
            reactor.stop()

    def begin() -> None:
        try:
            session = start_demo(args.tel, interval=args.interval, loop=args.loop, keep=args.keep,
                                 muted=args.mute, say=say)
        except Exception as exc:  # a port, a folder, a broken install: say it in one line and leave
            log.debug("demo failed to start", exc_info=True)
            print(f"gcnmon demo: cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
            result["code"] = 1
            stop()
            return
        session.app.window.quit_requested.connect(stop)
        reactor.addSystemEventTrigger("before", "shutdown", session.stop)
        if args.quit_after:
            reactor.callLater(args.quit_after, stop)
        say("close the window or press Ctrl+C to quit")

    reactor.callWhenRunning(begin)
    reactor.run()
    loop.close()
    return result["code"]
