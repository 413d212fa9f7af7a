"""What a site is shown as, from the model: one language's content (`content_view`), the
pages (`pages`), feeds, sitemaps and structured data (`feeds`, `sitemaps`, `structured`), the
view templates get, which adds a page head's links and metadata (`views`, on top of them
all), absolute links for feeds (`absolutize`) and the XML writer (`xmlwrite`). It may import
the core, `photos` and `i18n`; nothing of incremental, build, preview or publish.
"""
