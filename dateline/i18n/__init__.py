"""Languages: UI string catalogs and their checks (`catalogs`, `catalog_checks`,
`messages`, `plurals`), formatting dates and numbers in a language's calendar and time zone names
(`localize`, `calendars`, `dates`, `zonenames`), sorting (`collation`) and translation
coverage (`coverage`). It may import the core (`errors`, `config`, `model`, `atomic`) and
`photos`; nothing of outputs, incremental, build, preview or publish.
"""
