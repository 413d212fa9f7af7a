"""What a site is shown as, from the model: the per-language views and the pages
(`views`, `pages`), feeds, sitemaps and structured data (`feeds`, `sitemaps`, `structured`),
absolute links for feeds (`absolutize`) and the XML writer (`xmlwrite`). It may import the
core, `photos` and `i18n`; nothing of incremental, build, preview or publish. (views, feeds and
structured still import each other inside this package.)
"""
