#!/usr/bin/env python3
"""Build the site: `python build.py [COMMAND] [options]`; see `python build.py --help`."""

from dateline.cli import run

if __name__ == "__main__":
    run()
