"""The build, in order: `pipeline` (options, result, the entry point) and `stages`
run read+Markdown in workers (`prepare`, `markup`, `bodyurls`, `figures`, `parallel`),
assemble the model (`assemble`, `embargo`, `collisions`, `vocabulary`), make photo renditions
(`renditions`), render pages (`render`, `theme_files`), find feeds and sitemaps
(`discovery`), then write and swap the output (`write`, `staging`, `releases`, `faults`,
`failures`) and save the model (`savedbuild`). It may import every layer below it: the core,
`photos`, `i18n`, `outputs`, `incremental`; never preview or publish.
"""
