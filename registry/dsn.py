"""Database URLs without their secrets: every message, log line, commit and report shows a DSN through here.

    redact("postgresql://app:s3cret@db/prod")  ->  "postgresql://app:***@db/prod"

Both URL forms (`scheme://user:password@host/db?password=...`) and libpq key/value strings
(`host=db password=s3cret`) are handled; `scrub(text, dsn)` removes the raw password from any text
(an error message from the driver, for example) that might quote it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from schemareg.lazy_re import lazy_compile

__all__ = ["password_of", "redact", "scrub"]

MASK = "***"
_SECRET_KEYS = frozenset({"password", "sslpassword", "passfile_password"})
_KEYWORD_PASSWORD = lazy_compile(r"""(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)""", re.IGNORECASE)
_URL_IN_TEXT = lazy_compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)


def _is_url(dsn: str) -> bool:
    return "://" in dsn.split("?", 1)[0]


def redact(dsn: str) -> str:
    """The DSN with its password (in the userinfo or a query parameter) replaced by `***`."""
    if not _is_url(dsn):
        return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, dsn)
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1" + MASK + "@", dsn)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in _SECRET_KEYS for key, _ in pairs):
            query = urlencode(
                [(key, MASK if key.lower() in _SECRET_KEYS else value) for key, value in pairs], safe="*"
            )
    if netloc == parts.netloc and query == parts.query:
        return dsn  # nothing secret: keep the text exactly as given
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def password_of(dsn: str) -> str | None:
    """The password a DSN carries, if any (to scrub it from text that did not come through `redact`)."""
    if not _is_url(dsn):
        match = _KEYWORD_PASSWORD.search(dsn)
        return match.group(2).strip("'") if match else None
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _SECRET_KEYS and value:
            return value
    if parts.password:
        return unquote(parts.password)
    return None


def scrub(text: str, dsn: str | None = None) -> str:
    """Text with every URL in it redacted and, when `dsn` is given, its raw password masked anywhere."""
    # URLs are redacted as URLs, the rest as key/value text: the keyword pattern run over a redacted URL
    # would take `password=***&user=app` for one value and drop the parameters after it.
    pieces: list[str] = []
    end = 0
    for match in _URL_IN_TEXT.finditer(text):
        pieces.append(_KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text[end : match.start()]))
        pieces.append(redact(match.group(0)))
        end = match.end()
    pieces.append(_KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text[end:]))
    text = "".join(pieces)
    if dsn:
        secret = password_of(dsn)
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, MASK)
    return text


def error_line(error: BaseException, dsn: str | None = None) -> str:
    """The first line of an error (drivers add hints on more lines), with any password taken out."""
    lines = str(error).strip().splitlines()
    return scrub(lines[0] if lines else type(error).__name__, dsn)
