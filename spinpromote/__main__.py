"""``python -m spinpromote`` and the ``spinpromote`` console script; see `spinpromote.cli`."""

from __future__ import annotations

import sys

from spinpromote.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
