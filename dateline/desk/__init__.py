"""The news desk's tools, which read the content but never build it: `newstory` (start
a story: `dateline new`), `translate` (start a translation: `dateline translate`),
`survey` (every source read and assembled, drafts and scheduled stories included, with
the build's own problems), `lint` (the content checks that need no build), `matrix`
(stories × languages) and `editors` (the editors' view: `serve`'s `/_dateline/` and
`translations --format html`).

Imports go down: build (read and assemble, the photo library), i18n (coverage, catalog
status), outputs and core. Only `preview` (the editors' view) and `cli` import it.
"""
