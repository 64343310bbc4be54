"""``report.html``: the Markdown report as one self-contained HTML file (figures embedded)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

__all__ = ["write_html", "to_html"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1200px;
       margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
img { max-width: 100%; height: auto; display: block; margin: 0.8em 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f2f2f2; }
code { background: #f5f5f5; padding: 0 0.2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
"""


def _embed_images(body: str, folder: Path) -> str:
    def repl(m: re.Match) -> str:
        src = m.group(1)
        path = folder / src
        if "://" in src or not path.is_file():
            return m.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    return re.sub(r'src="([^"]+\.png)"', repl, body)


def to_html(markdown_text: str, folder: Path, title: str = "coldglass report") -> str:
    """The HTML page of a Markdown report whose PNG figures lie in ``folder``."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"])
    body = _embed_images(body, folder)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def write_html(markdown_text: str, folder: Path, path: Path) -> Path:
    """Write :func:`to_html` of the report to ``path`` and return it."""
    path.write_text(to_html(markdown_text, folder), encoding="utf-8")
    return path
