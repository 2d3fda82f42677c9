"""``python -m gcnmon``."""

from .cli import main

raise SystemExit(main())
