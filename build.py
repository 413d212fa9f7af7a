#!/usr/bin/env python3
"""Build the site: `python build.py [COMMAND] [options]`; see `python build.py --help`."""

import gc

gc.disable()  # importing makes only objects that live as long as the process (cli.run)

from dateline.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
