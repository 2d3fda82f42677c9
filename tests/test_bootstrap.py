"""The loop stack: Twisted's reactor runs on Qt's event loop."""

from twisted.internet import reactor, task


def test_reactor_runs_on_the_qasync_loop(loop, wait_for):
    assert reactor._asyncioEventloop is loop
    d = task.deferLater(reactor, 0.01, lambda: "fired")
    assert wait_for(d, 5) == "fired"


def test_cli_help_lists_subcommands(capsys):
    from gcnmon.cli import main

    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "usage: gcnmon" in out


def test_cli_starts_without_heavy_imports():
    """``gcnmon --help`` and headless commands must not pay for Qt or astropy at parser build time."""
    import subprocess
    import sys

    code = (
        "import sys, gcnmon.cli; gcnmon.cli.build_parser();"
        "heavy = [m for m in ('PySide6', 'astropy', 'twisted.internet.reactor', 'lxml') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_demo_telescope_choices_match_the_demo():
    from gcnmon.commands.demo import TELESCOPE_CHOICES
    from gcnmon.demo.session import TELESCOPES

    assert sorted(TELESCOPE_CHOICES) == sorted(TELESCOPES)


def test_verbose_counts_before_and_after_the_subcommand():
    from gcnmon.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["-v", "parse", "x.xml"]).verbose == 1
    assert parser.parse_args(["parse", "-vv", "x.xml"]).verbose == 2
    assert parser.parse_args(["parse", "x.xml"]).verbose == 0
