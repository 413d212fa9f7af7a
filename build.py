#!/usr/bin/env python3
"""Build the site: `python build.py [COMMAND] [options]`; see `python build.py --help`."""

if __name__ == "__main__":
    import gc

    # Importing makes only objects that live as long as the process: no collections
    # while it runs (`cli.run` freezes them and turns the collector back on).
    gc.disable()
    from dateline.cli import run

    run()
