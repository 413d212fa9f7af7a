"""Files that editors and systems make beside the real ones, which no build reads: the
preview server's watcher ignores them, and so does the command line's walk of input
stats (a swap file open for the whole editing session would otherwise make every build
look at everything again)."""

from __future__ import annotations

_NOISE_SUFFIXES = (".swp", ".swx", ".swo", ".kate-swp", ".tmp", "~", "___jb_tmp___",
                   "___jb_old___")


def is_editor_noise(name: str) -> bool:
    """True for files editors and systems make beside the real ones: swap and backup
    files, vim's `4913` write test, emacs' `.#x` locks and `#x#` autosaves, `.DS_Store`.

    Every name starting with a dot counts too: the build skips hidden files and folders
    (`.git` included), so a change there cannot change the site. (Called for every file
    before every command-line build: string tests, no regular expression.)
    """
    return (name.startswith(".") or name.endswith(_NOISE_SUFFIXES)
            or (len(name) > 1 and name[0] == "#" and name[-1] == "#")
            # vim probes with 4913, then 5036, 5159, ... while the name is taken
            or (name.isdigit() and int(name) >= 4913 and (int(name) - 4913) % 123 == 0)
            or name == "Thumbs.db")
