"""The quality checks `dateline check` runs on a built site folder, one module each:
`links` (internal links and fragment anchors), `hreflang` (reciprocal alternates),
`validate` (the Nu Html Checker) and `a11y` (axe-core in headless Chromium).

Every check is a function from a `BuiltSite` (read once by `folder.read_site`) to a
list of `Finding`s; `dateline/publish/check.py` runs them and reports.
"""
