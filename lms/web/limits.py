"""Limits before work: a request body larger than allowed is refused (413) before it is read.

Two settings: ``MAX_FORM_LENGTH`` (default 1 MB) for every request to a URL that takes no file
upload, and ``MAX_CONTENT_LENGTH`` (default 101 MB) as the ceiling for those that do (the
people import, and the views that say so with ``limit_body()``). A request that announces a
larger ``Content-Length`` is refused before the first byte of its body is read, whatever the
route (checked first of all, before the CSRF check or the login throttle look at the form). A
body without a length (``Transfer-Encoding: chunked``) is cut off with a 413 as soon as it
passes the limit while it is read.

A view that takes uploads calls ``limit_body(bytes)`` from a ``url_value_preprocessor`` (those
run before any ``before_request``, so before anything reads the body): the assignment plugin
allows each lesson's own file limit plus the form around it.
"""
from __future__ import annotations

import io

from flask import Flask, Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

# Room for the text fields, field names and multipart boundaries around an uploaded file.
FORM_ALLOWANCE = 1024 * 1024
# Core endpoints that take a file upload (up to MAX_CONTENT_LENGTH).
UPLOAD_ENDPOINTS = frozenset({"admin.import_file"})


def refuse_large_body() -> None:
    """413 when the announced length exceeds this request's limit (nothing has been read)."""
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge()


def limit_body(max_bytes: int) -> None:
    """This request may carry a body of ``max_bytes`` (an upload; at most
    ``MAX_CONTENT_LENGTH``); refuse it now when its announced length is already larger."""
    ceiling = current_app.config.get("MAX_CONTENT_LENGTH")
    request.max_content_length = max_bytes if ceiling is None else min(max_bytes, ceiling)
    refuse_large_body()


class CappedInput(io.RawIOBase):
    """A body without a length, read up to ``limit`` bytes: the byte after that is a 413.
    (werkzeug's own limit stops reading at the limit and hands on what it has, so a form
    larger than allowed would be parsed cut short instead of refused.)"""

    def __init__(self, stream, limit: int) -> None:
        super().__init__()
        self._stream, self._limit, self._read = stream, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._limit + 1 - self._read)
        data = self._stream.read(wanted) if wanted > 0 else b""
        self._read += len(data)
        if self._read > self._limit:
            raise RequestEntityTooLarge()
        buffer[:len(data)] = data
        return len(data)


class LeerpadRequest(Request):
    """Flask's request with a strict limit on bodies without a length, and closing the
    temporary files of an upload that was cut off (werkzeug only closes the files of a form
    it finished parsing)."""

    @property
    def max_content_length(self) -> int | None:
        """Set by ``limit_body()``; else the ceiling for upload endpoints and the form limit
        for every other request (also those that match no route)."""
        if self._max_content_length is not None:
            return self._max_content_length
        config = current_app.config
        ceiling = config.get("MAX_CONTENT_LENGTH")
        form = config.get("MAX_FORM_LENGTH")
        if self.endpoint in UPLOAD_ENDPOINTS or form is None:
            return ceiling
        return form if ceiling is None else min(form, ceiling)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self):
        limit = self.max_content_length
        if (self.content_length is None and limit is not None
                and "wsgi.input_terminated" in self.environ):
            if self.mimetype == "application/x-www-form-urlencoded" and self.max_form_memory_size:
                limit = min(limit, self.max_form_memory_size)  # read into memory whole
            return io.BufferedReader(CappedInput(self.environ["wsgi.input"], limit))
        return get_input_stream(self.environ, max_content_length=limit)

    def _get_file_stream(self, *args, **kwargs):
        stream = super()._get_file_stream(*args, **kwargs)
        self.__dict__.setdefault("_upload_streams", []).append(stream)
        return stream

    def close(self) -> None:
        super().close()
        for stream in self.__dict__.pop("_upload_streams", ()):
            stream.close()


def init_app(app: Flask) -> None:
    app.request_class = LeerpadRequest
    for key in ("MAX_CONTENT_LENGTH", "MAX_FORM_LENGTH"):
        raw = app.config.get(key)
        if isinstance(raw, str):  # LMS_MAX_CONTENT_LENGTH=... from the environment
            app.config[key] = int(raw) if raw.strip() else None
    # First of all before_request functions: before the CSRF check and the login throttle,
    # which read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_body)
