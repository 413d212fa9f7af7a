"""Photos: the `[photos]` settings and the value types of a picture and its renditions
(`photos`), the widths and `sizes` a rendition set offers (`photosizes`), and reading an
image file's dimensions (`imageinfo`). Next to the lowest layer: it imports only
`dateline.digests`, so the core (config, model) can name a picture. Making renditions is a
build stage (`build.renditions`), and their on-disk store is `incremental.photocache`.
"""
