"""The loop stack: Twisted's reactor runs on Qt's event loop."""

from twisted.internet import defer, reactor, task


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
