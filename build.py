#!/usr/bin/env python3
"""Build the site: `python build.py [COMMAND] [options]`; see `python build.py --help`."""

import sys

from dateline.cli import main

if __name__ == "__main__":
    sys.exit(main())
