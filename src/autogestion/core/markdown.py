"""Markdown written by members, rendered to HTML that is safe to show to everyone."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
                "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render(text: str) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener")
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
