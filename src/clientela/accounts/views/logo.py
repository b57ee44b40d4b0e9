"""The company's logo, served to anyone: public pages show it to customers who are not signed in."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from clientela.accounts.services import company_settings
from clientela.accounts.services.logo import logo_file


@require_GET
def company_logo(request: HttpRequest, digest: str) -> FileResponse:
    """The current logo; its address names its content, so a browser may keep it a year."""
    found = company_settings()
    path = logo_file(found)
    if path is None or digest != found.logo_digest:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=found.logo_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    # An image only: nothing in it may run, even opened on its own.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
