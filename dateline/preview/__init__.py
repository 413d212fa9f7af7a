"""The preview server: `serve` (rebuilds on change, keeps the last build in memory),
its HTTP handler (`preview_http`), live reload (`livereload`), watching the site folder
(`watch`) and the rebuild alarm (`alarm`). It may import build and everything below it;
not publish, and not the command line.
"""
