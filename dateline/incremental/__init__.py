"""What lets a build skip work: the state of the last build (`state`), the build
cache, its tables in the build store and its damage handling (`cache`, `tables`,
`cachedamage`), remembered assembly (`memo`), page
fingerprints (`fingerprints`), what can be kept of the last build (`reuse`),
the rendition store (`photocache`) and garbage-collector tuning (`collector`). It may import
the core, `photos`, `i18n` and `outputs`; nothing of build, preview or publish.
"""
