"""Statement text without a parser: identifiers and strings as written, whitespace squashed, stable names.

The statement compilers use these where sqlglot has no tree for a statement (pattern-read pg_dump idioms
and opaque statements).
"""

from __future__ import annotations

import hashlib
import re

from sqlglot import exp

IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)'
QNAME = rf"{IDENT}(?:\s*\.\s*{IDENT}){{0,2}}"
STRING = r"(?:[Ee]?'(?:[^']|'')*')"
WS = re.compile(r"\s+")


def split_dotted(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(IDENT, text)]


def string_value(text: str) -> str:
    pieces = re.findall(r"[Ee]?'((?:[^']|'')*)'", text)
    value = "".join(p.replace("''", "'") for p in pieces)
    if text[:1] in "Ee":
        value = value.encode("latin-1", "backslashreplace").decode("unicode_escape")
    return value


def literal_value(node: exp.Expression) -> str:
    return str(node.this) if isinstance(node, exp.Literal) else node.sql()


_SQUASH_TOKENS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*.*?\*/|\s+",
    re.DOTALL,
)


def squash(text: str) -> str:
    """Whitespace-normalise a statement outside its quoted parts, dropping comments.

    A run of blanks becomes one space, or nothing next to brackets and before commas, so `f( a,b )` and
    `f(a, b)` read the same; quoted text and dollar-quoted bodies are kept byte for byte.
    """
    pieces: list[tuple[bool, str]] = []  # (is_gap, text)
    pos = 0
    for m in _SQUASH_TOKENS.finditer(text):
        if m.start() > pos:
            pieces.append((False, text[pos : m.start()]))
        token = m.group(0)
        if token.startswith(("--", "/*")) or token.isspace():
            pieces.append((True, " "))
        else:
            pieces.append((False, token))
        pos = m.end()
    if pos < len(text):
        pieces.append((False, text[pos:]))
    out: list[str] = []
    for i, (gap, piece) in enumerate(pieces):
        if gap:
            before = out[-1][-1:] if out else ""
            after = pieces[i + 1][1][:1] if i + 1 < len(pieces) else ""
            if before in ("", " ", "(") or after in ("", ")", ",", ";"):
                continue
            out.append(" ")
        elif piece[:1] in "'\"$":
            out.append(piece)
        else:
            piece = re.sub(r"\(\s+", "(", piece)
            piece = re.sub(r",(?=\S)", ", ", piece)
            out.append(piece)
    return "".join(out).strip().rstrip(";").rstrip()


def upper_words(text: str) -> str:
    """Upper-case the unquoted words of a squashed statement (PostgreSQL folds them anyway)."""
    return re.sub(
        r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^'\"]+",
        lambda m: m.group(0) if m.group(0)[0] in "'\"" else m.group(0).upper(),
        text,
    )


def until_closing_bracket(args: str) -> str:
    """The text of `args` up to the bracket closing one opened just before it."""
    depth = 1
    for i, ch in enumerate(args):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return args[:i]
    return args


def statement_name(text: str) -> str:
    """A stable name for a statement that names no object: its first two words and a digest."""
    head = " ".join(text.split()[:2]).lower()
    return f"{head} {hashlib.sha256(text.encode()).hexdigest()[:12]}"
