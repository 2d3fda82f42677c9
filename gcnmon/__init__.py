"""gcnmon: an alert monitor for telescope observers."""

import os

# numpy's OpenBLAS would start a thread per core for every matrix product. gcnmon's products are small
# (a sky map's pixels against a few hundred candidate fields, a night of AltAz matrices), and on a
# 2-core workstation shared with Qt and Twisted the spinning threads made a 1 ms product take 15-40 ms
# (bench/skymap.py, README "Sky maps"). One thread, set before numpy is first imported; the user's own
# setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

try:
    from ._version import __version__
except ImportError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
