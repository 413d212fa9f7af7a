"""A parser that copies HTML through unchanged except for the start tags a subclass
rewrites: the shared base of the body-URL checks (`bodyurls`) and of making feed links
absolute (`absolutize`)."""

from __future__ import annotations

from html.parser import HTMLParser


class TagRewriter(HTMLParser):
    """Collects the output in `out`; a subclass implements `rewrite_tag` and appends the
    start tag it wants (or `get_starttag_text()` to keep it as written)."""

    def __init__(self) -> None:
        # Character references stay as written: only the tags a subclass changes change.
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []

    def rewrite_tag(self, tag: str, attrs: list[tuple[str, str | None]],
                    closing: bool) -> None:
        raise NotImplementedError

    def handle_starttag(self, tag, attrs):
        self.rewrite_tag(tag, attrs, closing=False)

    def handle_startendtag(self, tag, attrs):
        self.rewrite_tag(tag, attrs, closing=True)

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")
