#!/usr/bin/env bash
# Set up gcnmon on a fresh Debian/Ubuntu machine, from the checkout: the system libraries Qt and the
# alarm sound need, then a virtual environment in .venv with gcnmon installed (editable, so the
# checkout is what runs).
#   bash packaging/debian/setup.sh               # to run gcnmon
#   bash packaging/debian/setup.sh --test        # also the test extra (pytest, Comet, pygcn, ...)
#   bash packaging/debian/setup.sh --no-system   # only the virtual environment (no root, no sudo):
#                                                # an administrator installs the Debian packages
# Installing Debian packages needs root or sudo; without either it prints the apt-get line to give to
# an administrator and stops before changing anything.
set -euo pipefail
cd "$(dirname "$0")/../.."

EXTRA="" SYSTEM=1
for arg in "$@"; do
    case "$arg" in
        --test) EXTRA="[test]" ;;
        --no-system) SYSTEM=0 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup.sh: unknown option $arg (known: --test, --no-system, --help)" >&2; exit 2 ;;
    esac
done

# Qt offscreen/xcb, QtMultimedia (libpulse0), the ALSA alarm player (libasound2: it loads libasound.so.2
# through ctypes, so no -dev package), python3-venv for .venv, Xvfb for a virtual screen. Nothing is
# compiled: every Python dependency installs as a wheel, so no gcc and no python3-dev.
DEBS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3
      libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
      libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libpulse0 libasound2
      python3-venv xvfb xauth"
missing=""
for p in $DEBS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

advise() {  # why we cannot install the Debian packages ourselves, and what to do instead
    cat >&2 <<EOF
setup.sh: $1, so it cannot install the Debian packages gcnmon needs:
   $missing
Ask an administrator to run (as root):
    apt-get update && apt-get install -y --no-install-recommends$missing
then make the virtual environment yourself, from this checkout:
    bash packaging/debian/setup.sh --no-system${EXTRA:+ --test}
EOF
    exit 1
}

if [ -n "$missing" ] && [ "$SYSTEM" = 1 ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || advise "this account is not root and there is no sudo"
        SUDO="sudo"
    fi
    echo "setup.sh: installing Debian packages:$missing"
    $SUDO apt-get update -q || advise "'${SUDO:+sudo }apt-get update' failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing \
        || advise "'${SUDO:+sudo }apt-get install' failed"
elif [ -n "$missing" ]; then
    echo "setup.sh: --no-system: not installing the missing Debian packages:$missing" >&2
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup.sh: creating the virtual environment .venv"
    "$PY" -m venv .venv || {
        echo "setup.sh: '$PY -m venv' failed: it needs the Debian package python3-venv" >&2
        exit 1
    }
fi
.venv/bin/python -m pip install -q --upgrade pip
echo "setup.sh: installing gcnmon$EXTRA and its Python dependencies into .venv (about 650 MB; 20 s to a few minutes)"
.venv/bin/python -m pip install -e ".$EXTRA"
echo "setup.sh: done. Run from this checkout: .venv/bin/gcnmon demo (the tests: .venv/bin/ruff check . && .venv/bin/python -m pytest)"
