"""Activate the signed-in user's chosen language; otherwise LocaleMiddleware's choice stands."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


def user_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response

    return middleware
