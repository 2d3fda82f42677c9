"""gcnmon: an alert monitor for telescope observers."""

try:
    from ._version import __version__
except ImportError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
