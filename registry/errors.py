"""The exception tree of the registry core. The API maps each class to one HTTP status, in one place.

SchemaregError
├── InputError            bad input from the user; nothing was stored (HTTP 400/422)
│   ├── SQLParseError     DDL that is not SQL at all, with line and column (422)
│   └── InvalidName       a project, env or release name that git's ref rules refuse (400)
├── NotFound              unknown project, env, ref or object (404)
├── Conflict              a release that exists already, a project created twice (409)
├── StoreError            the git store could not complete a write (500)
└── ExternalError         a database, S3 or GitHub failed (502)
"""

from __future__ import annotations


class SchemaregError(Exception):
    """Root of every error that the registry raises on purpose."""


class InputError(SchemaregError):
    """The input was refused; nothing was stored."""


class SQLParseError(InputError):
    def __init__(self, message: str, *, line: int, column: int, source: str | None = None) -> None:
        self.reason = message
        self.line = line
        self.column = column
        self.source = source
        where = f"{source}:" if source else "line "
        super().__init__(f"{where}{line}:{column}: {message}")

    def named(self, source: str | None) -> SQLParseError:
        """The same error naming the file (or stream) it is in, unless it names one already: what reads
        text alone (the splitter, the service) knows no file, the command that read it does."""
        if source is None or self.source is not None:
            return self
        return type(self)(self.reason, line=self.line, column=self.column, source=source)


class InvalidName(InputError):
    pass


class NotFound(SchemaregError):
    pass


class Conflict(SchemaregError):
    pass


class StoreError(SchemaregError):
    pass


class ExternalError(SchemaregError):
    pass
