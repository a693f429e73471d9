"""Parsing for the normaliser: sqlglot's parser, except that a call of one of PostgreSQL's own functions
stays a call of that function.

sqlglot reads some of PostgreSQL's functions as the node it shares with other dialects and prints that node
in another spelling: `substr(a, 1, 2)` as `SUBSTRING(a FROM 1 FOR 2)`, `btrim(a)` as `TRIM(a)`,
`strpos(a, 'x')` as `POSITION('x' IN a)`, `date_part('year', t)` as `EXTRACT(YEAR FROM t)` (another
function, of another type), `to_hex(n)` as `HEX(n)` (no such function: schema.sql did not replay), `date_add(t, i)` (PostgreSQL 16) as
`t + (INTERVAL '1' * i)`. PostgreSQL
stores and prints the function that was called, so the canonical text does too, whichever engine read it.
sqlglot's parser is compiled (no subclass, no instance attributes), so the call's name is marked in the
tokens, which the parser then reads as an unknown function's, and unmarked in the tree.

Likewise a name before a dot is a qualifier, whatever it spells: in a type's place sqlglot reads
`"smallint".mood` as the type SMALLINT followed by a stray `.mood` (the statement failed, or a view's cast
printed `CAST(x AS SMALLINT).mood`), since it reads a name that spells a type, quoted or bare (`text.mood`,
as PostgreSQL prints a schema named text), as that type. Such a name is marked in the tokens, so that it
spells nothing, and unmarked in the tree.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from schemareg.lazy_re import lazy_compile
from schemareg.normalize.foreign_functions import FOREIGN_FUNCTIONS
from schemareg.normalize.text import SKIPPED

# PostgreSQL's functions that sqlglot's Postgres parser reads as a node printed under another name, or as
# an operator (`tests/unit/test_pg_parser.py` finds every such name of sqlglot's and holds this list to
# them). `like(s, p)` is no `p LIKE s` (sqlglot's order of arguments is SQLite's), and `now()` no
# CURRENT_TIMESTAMP: PostgreSQL stores and prints them apart.
AS_WRITTEN = frozenset(
    {
        "btrim",
        "ceiling",
        "character_length",
        "char_length",
        "convert",
        "date_add",
        "date_part",
        "date_trunc",
        "json_extract_path",
        "json_extract_path_text",
        "like",
        "log10",
        "ltrim",
        "mod",
        "now",
        "overlay",
        "position",
        "pow",
        "regexp_like",
        "rtrim",
        "strpos",
        "substr",
        "substring",
        "to_hex",
        "variance",
    }
)
# On a lower-cased copy, every name before a bracket, in one pass (the token is checked when marked): a
# statement calls one to keep as called when a name is one of these (`"like"(`, as PostgreSQL prints it).
_CALL_NAMES = lazy_compile(r'(?<![\w$])"?([a-z_][a-z0-9_]*)"?\s*\(')
_KEPT_AS_CALLED = AS_WRITTEN | FOREIGN_FUNCTIONS
# Functions with an SQL syntax of their own, which PostgreSQL (16 and later) prints as written: a call is
# kept as called only without the syntax's keywords (`substring(a, 1, 2)`, not `substring(a FROM 1)`).
# `position` is a keyword: `"position"(a, b)` is the call, the position of b in a (sqlglot read it the other
# way round, `POSITION(a IN b)`: another expression), and `position(b IN a)` the syntax.
_SYNTAX_WORDS = {"substring": {"FROM", "FOR", "SIMILAR"}, "overlay": {"PLACING"}, "position": {"IN"}}
_MARK = "\x00"  # no name holds it: PostgreSQL refuses NUL in any text
_QUALIFIER = "\x02"  # nor this, before a name (tests/unit/test_pg_parser.py)
# The tokens after which a name and `(` are a call: where an expression starts.
_EXPRESSION_START = frozenset(
    getattr(TokenType, name)
    for name in [
        "L_PAREN",
        "COMMA",
        "L_BRACKET",
        "FROM",  # EXTRACT(EPOCH FROM now()), and a function in a query's FROM
        "SELECT",
        "DISTINCT",
        "WHERE",
        "HAVING",
        "AND",
        "OR",
        "NOT",
        "CASE",
        "WHEN",
        "THEN",
        "ELSE",
        "DEFAULT",
        "IS",
        "BETWEEN",
        "IN",
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "PLUS",
        "DASH",
        "STAR",
        "SLASH",
        "MOD",
        "DPIPE",
        "AMP",
        "PIPE",
        "CARET",
    ]
)


# `!~` and `!~*` (not `!~~`, `!~~*`: NOT LIKE, which sqlglot reads as such), outside quoted text and
# comments: handed to sqlglot as `OPERATOR(pg_catalog.!~)` (dialects.NEGATED_MATCH says why).
_NEGATED_MATCH = lazy_compile(
    SKIPPED + r""" | --[^\n]* | /\*.*?\*/ | (?P<operator>!~\*?)(?![~*])""", re.VERBOSE | re.DOTALL
)


def _negated_match(text: str) -> str:
    return _NEGATED_MATCH.sub(
        lambda m: f" OPERATOR(pg_catalog.{m.group('operator')}) " if m.group("operator") else m.group(0), text
    )


def parse_tokens(
    parser: Any, tokenizer: Any, text: str, dialect: str, lowered: str | None = None
) -> list[exp.Expression | None]:
    """`parser.parse(tokenizer.tokenize(text), text)`, PostgreSQL's functions kept as called (`lowered`:
    the text lower-cased, when the caller has it)."""
    if dialect == "postgres" and "!~" in text and (spelt := _negated_match(text)) != text:
        text, lowered = spelt, None
    tokens: list[Token] = tokenizer.tokenize(text)
    marked = (
        dialect == "postgres" and calls_one(text.lower() if lowered is None else lowered) and _mark(tokens)
    )
    qualifiers = (
        "." in text
        and _type_qualifier(dialect, tokenizer, parser).search(text) is not None
        and _mark_qualifiers(tokens, tokenizer, parser)
    )
    expressions: list[exp.Expression | None] = parser.parse(tokens, text)
    if marked:
        for tree in expressions:
            if tree is not None:
                for call in tree.find_all(exp.Anonymous):
                    if isinstance(call.this, str) and call.this.endswith(_MARK):
                        call.set("this", call.this[: -len(_MARK)])
    if qualifiers:
        for tree in expressions:
            if tree is not None:
                for node in tree.find_all(exp.Identifier, exp.DataType):
                    part = "this" if isinstance(node, exp.Identifier) else "kind"  # a type named by text
                    name = node.args.get(part)
                    if isinstance(name, str) and _QUALIFIER in name:
                        node.set(part, name.replace(_QUALIFIER, ""))
    return expressions


def _type_qualifier(dialect: str, tokenizer: Any, parser: Any) -> re.Pattern[str]:
    """A scan for a word the dialect reads as a type before a dot, quoted or not: most statements have
    none, and the scan runs at C speed where marking steps through every token."""
    found = _TYPE_QUALIFIERS.get(dialect)
    if found is None:
        types = parser.TYPE_TOKENS
        words = [w for w, kind in tokenizer.KEYWORDS.items() if kind in types and w.isidentifier()]
        alternatives = "|".join(sorted(words, key=len, reverse=True))
        found = _TYPE_QUALIFIERS[dialect] = re.compile(rf"(?<![\w$])\W?(?:{alternatives})\W?\s*\.", re.I)
    return found


_TYPE_QUALIFIERS: dict[str, re.Pattern[str]] = {}


def _mark_qualifiers(tokens: list[Token], tokenizer: Any, parser: Any) -> bool:
    """Mark each name before a dot that spells a type: quoted (`"smallint".mood`), it stays a quoted name;
    bare (`text.mood`, where a schema is named `text`), a bare one."""
    marked = False
    types = parser.TYPE_TOKENS
    for i in range(len(tokens) - 1):
        if tokens[i + 1].token_type is not TokenType.DOT:
            continue
        token = tokens[i]
        if token.token_type is TokenType.IDENTIFIER:
            kind = tokenizer.KEYWORDS.get(token.text.upper())
            if kind is None or kind not in types:
                continue
        elif token.token_type not in types or not token.text.isidentifier():
            continue
        else:
            token.token_type = TokenType.VAR
        token.text = _QUALIFIER + token.text
        marked = True
    return marked


def calls_one(lowered: str) -> bool:
    """Whether a lower-cased text may call one of the functions kept as called."""
    return "(" in lowered and not _KEPT_AS_CALLED.isdisjoint(_CALL_NAMES.findall(lowered))


def _mark(tokens: list[Token]) -> bool:
    """Mark the names of the calls of AS_WRITTEN, where an expression starts: `mod` in `REFERENCES mod (id)`
    or `CREATE TABLE mod (...)` is a table's name, and `LIKE (` after an operand is the operator; a quoted
    name is one of them only as PostgreSQL prints it (`"like"(s, p)`)."""
    marked = False
    for i in range(len(tokens) - 1):
        token = tokens[i]
        if tokens[i + 1].token_type is not TokenType.L_PAREN:
            continue
        if token.token_type is TokenType.IDENTIFIER:
            name = token.text
        elif token.token_type in (TokenType.VAR, TokenType.LIKE) or token.text.lower() in FOREIGN_FUNCTIONS:
            name = token.text.lower()
        else:
            continue
        start = i - 2 if i >= 2 and tokens[i - 1].token_type is TokenType.DOT else i  # `pg_catalog.btrim(`
        if (
            name in _KEPT_AS_CALLED
            and (start == 0 or tokens[start - 1].token_type in _EXPRESSION_START)
            and not (name in _SYNTAX_WORDS and _in_syntax(tokens, i + 1, _SYNTAX_WORDS[name]))
        ):
            token.text = name + _MARK
            token.token_type = TokenType.VAR
            marked = True
    return marked


def _in_syntax(tokens: list[Token], bracket: int, words: set[str]) -> bool:
    """Whether the brackets opening at `bracket` hold one of `words` at their own level."""
    depth = 0
    for token in tokens[bracket:]:
        kind = token.token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                return False
        elif depth == 1 and kind is not TokenType.STRING and token.text.upper() in words:
            return True
    return False


def parse_one(text: str, dialect: str) -> exp.Expression:
    """sqlglot.parse_one(text, read=dialect), PostgreSQL's functions kept as called."""
    from sqlglot.errors import ParseError

    from schemareg.normalize.dialects import sqlglot_dialect

    reader = sqlglot_dialect(dialect)
    trees = parse_tokens(reader.parser(), reader.tokenizer(), text, dialect)
    if not trees or trees[0] is None:
        raise ParseError(f"no statement in {text[:40]!r}")
    return trees[0]
