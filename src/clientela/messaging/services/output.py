"""What a rendered e-mail becomes before it leaves: CSS inlined, HTML sanitised, a plain-text
part, and for marketing and newsletters the company's postal address and an unsubscribe link.

The footer is written in the message's language (the variant's), with the same escaping as
everything else; a subject never carries a line break into a header.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import css_inline
import nh3
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from clientela.consent.models import Purpose

# Purposes whose e-mails always carry the postal address and an unsubscribe link.
FOOTED = frozenset({Purpose.MARKETING, Purpose.NEWSLETTER})
_TAGS = nh3.ALLOWED_TAGS | {
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "col", "colgroup",
    "center", "font", "footer", "header", "section", "span", "div", "img", "hr", "small",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"style", "class", "align", "dir", "lang", "title", "width", "height", "bgcolor"},
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height", "border"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign", "scope"},
    "table": {"cellpadding", "cellspacing", "border", "role"},
    "font": {"color", "face", "size"},
}
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
_BLOCKS = frozenset(
    {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "section",
     "header", "footer", "blockquote", "ul", "ol"}
)  # fmt: skip


def one_line(text: str) -> str:
    """A header value: any line break (from customer data) becomes a space."""
    return re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text).strip()


def finish_html(body: str) -> str:
    """CSS from <style> blocks moved into style attributes, then only allowed HTML kept (no
    scripts, handlers or javascript: links; links get rel="noopener noreferrer")."""
    try:
        inlined = _INLINER.inline_fragment(body, "") if "<style" in body.lower() else body
    except (ValueError, css_inline.InlineError):
        inlined = body
    return nh3.clean(
        inlined,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        clean_content_tags={"script", "style"},
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.href.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and href.startswith(("http://", "https://")):
                self.parts.append(f" ({href})")
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def text_from_html(body: str) -> str:
    """The plain-text part of an e-mail written only in HTML: paragraphs kept, links spelt out."""
    parser = _Text()
    parser.feed(body)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def footer_html(*, company: str, address: list[str], unsubscribe: str, preferences: str,
                language: str) -> str:  # fmt: skip
    """The footer of a marketing e-mail, in the message's language."""
    with translation.override(language):
        lines = format_html_join("", "{}<br>", ((line,) for line in address))
        return str(
            format_html(
                '<hr><p style="font-size:12px;color:#666">{}<br>{}'
                '<a href="{}">{}</a> · <a href="{}">{}</a></p>',
                company,
                lines,
                unsubscribe,
                gettext("Unsubscribe"),
                preferences,
                gettext("Manage your preferences"),
            )
        )


def footer_text(*, company: str, address: list[str], unsubscribe: str, preferences: str,
                language: str) -> str:  # fmt: skip
    with translation.override(language):
        return "\n".join(
            [
                "--",
                company,
                *address,
                gettext("Unsubscribe: %(url)s") % {"url": unsubscribe},
                gettext("Manage your preferences: %(url)s") % {"url": preferences},
            ]
        )


def unescape(text: str) -> str:
    return html.unescape(text)
