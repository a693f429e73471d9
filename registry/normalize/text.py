"""Statement text without a parser: identifiers and strings as written, whitespace squashed, stable names.

The statement compilers use these where sqlglot has no tree for a statement (pattern-read pg_dump idioms
and opaque statements).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlglot import exp

from schemareg.lazy_re import lazy_compile

IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)'
QNAME = rf"{IDENT}(?:\s*\.\s*{IDENT}){{0,2}}"
STRING = r"(?:[Ee]'(?:[^'\\]|\\.|'')*+'|'(?:[^']|'')*+')"
DOLLAR_STRING = r"(?:\$(?P<dtag>[A-Za-z_]\w*|)\$.*?\$(?P=dtag)\$)"  # a dollar-quoted constant, whole
DOLLAR_BODY = lazy_compile(r"\$(?P<tag>[A-Za-z_]\w*|)\$(?P<body>.*)\$(?P=tag)\$", re.DOTALL)
WS = lazy_compile(r"\s+")
# What a scan for a keyword steps over whole, for re.VERBOSE patterns: quoted text (E'' too), quoted names,
# dollar-quoted bodies (its group `tag`); the scan's own alternative follows `|`.
SKIPPED = r"""[Ee]'(?:[^'\\]|\\.|'')*+' | '(?:[^']|'')*+' | "(?:[^"]|"")*+" | (?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$"""


# SQL (and PL/pgSQL) text as tokens, without a parser: strings, dollar-quoted bodies and quoted names
# whole, comments and white space left out.
_TOKEN = lazy_compile(
    r"""(?P<space>\s+|--[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)
    | (?P<string>[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')
    | (?P<dollar>(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$)
    | (?P<quoted>"(?:[^"]|"")+")
    | (?P<word>[A-Za-z_][\w$]*)
    | (?P<other>::|<>|!=|>=|<=|:=|<<|>>|\S)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class SqlToken:
    kind: str  # string, dollar, quoted, word, other
    text: str
    start: int

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def sql_tokens(text: str) -> list[SqlToken]:
    return [
        SqlToken(m.lastgroup or "", m.group(0), m.start())
        for m in _TOKEN.finditer(text)
        if m.lastgroup != "space"
    ]


def split_dotted(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(IDENT, text)]


_STRING_PIECE = lazy_compile(r"[Ee]'((?:[^'\\]|\\.|'')*+)'|'((?:[^']|'')*+)'")


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


_SQUASH_TOKENS = lazy_compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*.*?\*/|\s+",
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


_FOLD_TOKENS = lazy_compile(
    r"(?P<kept>(?<![\w$])[Ee]'(?:[^'\\]|\\.|'')*+'|(?:(?<![\w$])(?:[BbXx]|[Uu]&))?'(?:[^']|'')*+'"
    r"|(?:(?<![\w$])[Uu]&)?\"(?:[^\"]|\"\")*+\""
    r"|(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|(?<![\w$])\.?\d[\w.]*)"
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
        r"|(?<![\w$])\$(?P<tag>[A-Za-z_]\w*|)\$.*?\$(?P=tag)\$|--[^\n]*|/\*",
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


# -- type modifiers ---------------------------------------------------------------------------------------

# What a type's text says beyond its name: modifiers (`(1536)`, `(Point,4326)`), array brackets, the
# fields of an interval, and BIT VARYING's VARYING (sqlglot reads `bit varying(5)` as BIT).
_MODIFIER = lazy_compile(r"\(([^()]*)\)|(\[)|\b(year|month|day|hour|minute|second|varying)\b", re.IGNORECASE)
_SPACES_IN_PARENS = lazy_compile(r"\s*,\s*")
_ALIASES = {"varbit": "bit varying"}


def type_modifiers(text: str) -> list[str]:
    """The modifiers of a type's text, in order, spelled one way."""
    found = []
    for m in _MODIFIER.finditer(text):
        if m.group(1) is not None:
            found += [part.strip().lower() for part in m.group(1).split(",")]
        elif m.group(2):
            found.append("[]")
        elif m.group(3).lower() != "varying" or re.search(r"\bbit\s+varying", text, re.IGNORECASE):
            found.append(m.group(3).lower())
    return found


def keeps_modifiers(written: str, rendered: str) -> bool:
    """Whether a type's rendering says every modifier the written text does (`varbit` says VARYING)."""
    written = re.sub(r"^\s*varbit\b", "bit varying", written, flags=re.IGNORECASE)
    return type_modifiers(written) == type_modifiers(rendered)


def postgres_type_spelling(text: str) -> str:
    """A type sqlglot cannot render without a loss, as PostgreSQL spells it: lower case, one space,
    `bit varying` for `varbit`, modifiers separated by `, `."""
    text = WS.sub(" ", text.strip()).lower()
    head, sep, rest = text.partition("(")
    head = _ALIASES.get(head.strip(), head.strip())
    text = head + (sep + rest if sep else "")
    text = re.sub(r"\(\s*([^()]*?)\s*\)", lambda m: "(" + _SPACES_IN_PARENS.sub(", ", m.group(1)) + ")", text)
    return re.sub(r"\s*(\(|\[)", r"\1", text).replace("[ ]", "[]")


# -- expressions as printed ----------------------------------------------------------------------------

# Words that take parentheses but make no function call, which PostgreSQL takes bare as an index key.
_NOT_CALLS = frozenset({"ROW", "ARRAY", "EXISTS", "NOT", "ANY", "ALL", "SOME", "INTERVAL", "CASE"})
_CALL_HEAD = lazy_compile(
    r'(?:(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\.\s*)*(?:"(?:[^"]|"")+"|([A-Za-z_][\w$]*))\s*\('
)


def is_function_call(text: str) -> bool:
    """Whether an expression's text is one function call, `f(...)` or `s.f(...)`, its parenthesis closing
    at the end: PostgreSQL takes such an index or partition key bare and any other expression only in
    parentheses. Judged on the printed text, not sqlglot's node class (to sqlglot `->>` and `CASE` are
    functions too)."""
    head = _CALL_HEAD.match(text)
    if head is None or (head.group(1) or "").upper() in _NOT_CALLS:
        return False
    return balanced(text, head.end()) == len(text) - 1


def cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the (start, end) spans given, in order and not overlapping."""
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def balanced(text: str, start: int) -> int:
    """Index of the parenthesis closing the one just before `start`."""
    depth = 1
    quote_char = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote_char:
            if ch == quote_char:
                quote_char = ""
        elif ch in "'\"":
            quote_char = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)
