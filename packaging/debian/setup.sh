#!/usr/bin/env bash
# Set up gcnmon on a fresh Debian/Ubuntu machine: the system libraries Qt and the alarm sound need,
# then a virtual environment in .venv with gcnmon installed (editable, so the checkout is what runs).
#   bash packaging/debian/setup.sh          # to run gcnmon
#   bash packaging/debian/setup.sh --test   # also the test extra (pytest, Comet, pygcn, ...)
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Qt offscreen/xcb, QtMultimedia (libpulse0), the ALSA alarm (libasound2, via libasound2-dev), C builds (gcc, python3-dev),
# Xvfb for screenshots of real windows.
DEBS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3
      libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
      libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libpulse0 libasound2-dev
      gcc python3-dev python3-venv xvfb xauth"
missing=""
for p in $DEBS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
    .venv/bin/python -m pip install -q -e '.[test]'
else
    .venv/bin/python -m pip install -q -e .
fi
