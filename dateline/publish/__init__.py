"""Checking and publishing a built site: `check` and its checks (`checks/`: links,
hreflang, HTML validation, accessibility) and `deploy`. It may import build and everything
below it; not preview, and not the command line.
"""
