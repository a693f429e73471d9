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
STRING = r"(?:[Ee]'(?:[^'\\]|\\.|'')*+'|'(?:[^']|'')*+')"
WS = re.compile(r"\s+")


def split_dotted(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(IDENT, text)]


_STRING_PIECE = re.compile(r"[Ee]'((?:[^'\\]|\\.|'')*+)'|'((?:[^']|'')*+)'")


def string_value(text: str) -> str:
    """The value of a string literal as written (`'a' 'b'` continued, `E'...'` with backslash escapes)."""
    value = []
    for piece in _STRING_PIECE.finditer(text):
        if piece.group(1) is not None:
            escaped = piece.group(1).replace("''", "'")
            value.append(escaped.encode("latin-1", "backslashreplace").decode("unicode_escape"))
        else:
            value.append(piece.group(2).replace("''", "'"))
    return "".join(value)


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


_FOLD_TOKENS = re.compile(
    r"(?P<kept>(?<![\w$])[Ee]'(?:[^'\\]|\\.|'')*+'|(?:(?<![\w$])(?:[BbXx]|[Uu]&))?'(?:[^']|'')*+'"
    r"|(?:(?<![\w$])[Uu]&)?\"(?:[^\"]|\"\")*+\""
    r"|\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|(?<![\w$])\.?\d[\w.]*)"
    r"|(?P<label>(?<=[(,])\s*[^\W\d][\w$]*(?=\s*=[^>=]))|(?P<word>(?<![\w$])[^\W\d][\w$]*)",
    re.DOTALL,
)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_words(text: str) -> str:
    """Fold the case of a statement's unquoted words as PostgreSQL reads them: keywords upper-case, names
    lower-case, as the server folds them. An option name in a `(name = value, ...)` list (LEFTARG, SFUNC,
    FILLFACTOR) is upper-case, as pg_dump writes it; to the server it is a name like any other.

    Quoted names, string literals (`E'...'`, `B'...'`, `U&'...'` too), dollar-quoted bodies and numbers
    are kept byte for byte, so the statement means the same and upper- or lower-casing a script does not
    change its canonical text.
    """
    from schemareg.normalize.keywords import KEYWORDS

    def fold(m: re.Match[str]) -> str:
        if m.group("label") is not None:
            return m.group("label").upper()
        word = m.group("word")
        if word is None:
            return m.group(0)
        upper = word.upper()
        # The server folds ASCII letters only (in UTF-8): `Ölçü` stays as it is.
        return upper if upper in KEYWORDS else word.translate(_ASCII_LOWER)

    return _FOLD_TOKENS.sub(fold, text)


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


_CODE_TOKENS = {
    "postgres": re.compile(
        r"(?<![A-Za-z0-9_$])[Ee]'(?:[^'\\]|\\.|'')*+'|'(?:[^']|'')*+'|\"(?:[^\"]|\"\")*+\""
        r"|\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*",
        re.DOTALL,
    ),
    "mysql": re.compile(
        r"'(?:[^'\\]|\\.|'')*+'|\"(?:[^\"\\]|\\.|\"\")*+\"|`(?:[^`]|``)*+`|(?:--(?=\s)|\#)[^\n]*|/\*(?!!)",
        re.DOTALL,
    ),
    "sqlite": re.compile(
        r"'(?:[^']|'')*+'|\"(?:[^\"]|\"\")*+\"|`(?:[^`]|``)*+`|\[[^\]]*+\]|--[^\n]*|/\*", re.DOTALL
    ),
}


def blank_comments(text: str, dialect: str) -> str:
    """The statement with its comments turned into blanks of the same length (offsets and lines kept).

    A comment inside a statement is whitespace to the database, so it must not reach the canonical text
    (`'shipped' /* c */`) nor be read as part of a name (`/* c */ p_date` in an argument list).
    Quoted text, quoted names and dollar-quoted bodies are kept as they are; PostgreSQL's comments nest.
    """
    if "--" not in text and "/*" not in text and not (dialect == "mysql" and "#" in text):
        return text
    pattern = _CODE_TOKENS.get(dialect, _CODE_TOKENS["postgres"])
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        token = m.group(0)
        if token == "/*":
            end = _comment_end(text, m.end(), nested=dialect == "postgres")
        elif token.startswith(("--", "#")):
            end = m.end()
        else:
            pos = m.end()  # quoted: kept
            continue
        text = text[: m.start()] + _blank(text[m.start() : end]) + text[end:]
        pos = end
    return text


def _blank(comment: str) -> str:
    return "".join(ch if ch == "\n" else " " for ch in comment)


def _comment_end(text: str, pos: int, *, nested: bool) -> int:
    depth, i = 1, pos
    while depth:
        close = text.find("*/", i)
        if close < 0:
            return len(text)  # the splitter refuses an unclosed comment; this is only a guard
        opening = text.find("/*", i, close) if nested else -1
        if opening >= 0:
            depth, i = depth + 1, opening + 2
        else:
            depth, i = depth - 1, close + 2
    return i
