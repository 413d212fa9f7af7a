"""The build, in order (`stages.run`, one call per step; see docs/incremental.md):
`pipeline` (the entry point; `options`: options and result) finds whether anything
changed; `context` opens the cache, this process's memory and the theme's inputs;
`modelstage` keeps the last build's model (`savedstore` over `savedbuild` on disk) or
reads the sources (`reading`, `prepare`, `markup`, `bodyurls`, `figures`, `contentfiles`,
on workers: `parallel`), assembles the model (`assemble`, `embargo`, `collisions`,
`vocabulary`) and makes its photos (`photostage`, `renditions`); `planning` plans and
fingerprints the pages; `output` writes through one `OutputWriter` the pages rendered
again (`rendering`, `render`, `theme_files`), feeds and sitemaps (`discovery`), and
commits (`write`, `staging`, `releases`, `faults`, `failures`); `finish` keeps what the
next build starts from; `progress` shows it. It may import every layer below it: the
core, `photos`, `i18n`, `outputs`, `incremental`; never preview or publish.
"""
