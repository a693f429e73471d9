"""The sqlglot dialects the normaliser reads with.

sqlglot's PostgreSQL dialect also knows the type names of other databases (`short`, `string`, `tinyint`,
`datetime`, `nvarchar`, ...) and reads them as its own types: `m short` becomes a SMALLINT column. To
PostgreSQL none of them is a type, so such a word in a PostgreSQL script can only name the user's own type
(a domain, an enum): ours reads them as names. Every word below was checked against PostgreSQL itself
(`SELECT NULL::<word>` fails with "type does not exist"). Kept: PostgreSQL's types, the pseudo-types of
CREATE TABLE (serial...), keywords of other statements (ARRAY, ENUM, RANGE, UNION, NULL; DOUBLE, of
DOUBLE PRECISION, so a type of the user's named `double` is still read as DOUBLE PRECISION), and the
extension types that sqlglot prints as PostgreSQL does (hstore, geometry, geography, vector).

"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import strposition_sql
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokenizer_core import TokenType

NOT_POSTGRES_TYPES = frozenset(
    [
        "BIGDECIMAL",
        "BIGNUM",
        "BIGNUMERIC",
        "BINARY",
        "BLOB",
        "BYTE",
        "CLOB",
        "DATETIME",
        "DECFLOAT",
        "DECIMAL128",
        "DECIMAL256",
        "DECIMAL32",
        "DECIMAL64",
        "FIXED",
        "HUGEINT",
        "INT1",
        "INT128",
        "INT16",
        "INT256",
        "INT32",
        "INT64",
        "LIST",
        "LONG",
        "LONGBLOB",
        "LONGTEXT",
        "LONGVARCHAR",
        "MAP",
        "MEDIUMBLOB",
        "MEDIUMINT",
        "MEDIUMTEXT",
        "NULLABLE",
        "NUMBER",
        "NVARCHAR",
        "NVARCHAR2",
        "OBJECT",
        "REF",
        "SHORT",
        "STR",
        "STRING",
        "STRUCT",
        "TIMESTAMPLTZ",
        "TIMESTAMPNTZ",
        "TIMESTAMP_LTZ",
        "TIMESTAMP_NTZ",
        "TIME_NS",
        "TINYBLOB",
        "TINYINT",
        "TINYTEXT",
        "UHUGEINT",
        "UINT",
        "UINT128",
        "UINT256",
        "VARBINARY",
        "VARCHAR2",
        "VARIANT",
    ]
)


# PostgreSQL's other names of its serial pseudo-types: a column definition (CREATE TABLE, ALTER TABLE ADD
# COLUMN) takes `serial4`, `serial8` and `serial2` exactly as serial, bigserial and smallserial. Read as those,
# `a serial4` makes the same owned sequence, nextval default and NOT NULL as `a serial`, instead of naming a
# type of the user's (`public.serial4`) that does not exist.
SERIAL_ALIASES = {
    "SERIAL4": TokenType.SERIAL,
    "SERIAL8": TokenType.BIGSERIAL,
    "SERIAL2": TokenType.SMALLSERIAL,
}


# `a !~ b` and `a !~* b` are PostgreSQL's own operators, stored and printed as written; sqlglot reads them as
# NOT over `~` and printed `NOT a ~ b`, which is also how it reads `NOT a ~ b`, stored as `NOT (a ~ b)`. So
# the parser is handed them as `a OPERATOR(pg_catalog.!~) b` (pg_parser.parse_tokens), and every
# PostgreSQL generator of the process (sqlglot's own dialect's too: views.edit_query prints by name)
# prints that as `a !~ b`, and NOT over `~` with PostgreSQL's parentheses.
NEGATED_MATCH = {"pg_catalog.!~": "!~", "pg_catalog.!~*": "!~*"}


def _operator_sql(generator: Any, node: exp.Operator) -> str:
    written = NEGATED_MATCH.get(str(node.args.get("operator")))
    if written is None:
        return str(generator.operator_sql(node))
    return f"{generator.sql(node.this)} {written} {generator.sql(node.expression)}"


def _not_sql(generator: Any, node: exp.Not) -> str:
    if isinstance(node.this, exp.RegexpLike | exp.RegexpILike):
        return f"NOT ({generator.sql(node.this)})"
    listed = node.this
    if isinstance(listed, exp.In) and listed.expressions and not listed.args.get("query"):
        # `x NOT IN (a, b)`, which PostgreSQL stores as `x <> ALL (ARRAY[a, b])`, the way a script
        # writes it far more often than `NOT (x IN (a, b))` (stored `NOT (x = ANY (...))`); one meaning.
        return f"{generator.sql(listed, 'this')} NOT IN ({generator.expressions(listed, flat=True)})"
    return str(generator.not_sql(node))


def _anonymous_sql(generator: Any, node: exp.Anonymous) -> str:
    """A call of `position` (the keyword's function, kept as called by pg_parser) is `"position"(a, b)`:
    PostgreSQL refuses the keyword before a bracket without its SQL syntax's IN (`POSITION(b IN a)`, which
    sqlglot prints as a call too)."""
    args = node.expressions
    syntax = len(args) == 1 and isinstance(args[0], exp.In) and args[0].args.get("field") is not None
    if isinstance(node.this, str) and node.this.lower() == "position" and not syntax:
        return f'"position"({generator.format_args(*node.expressions)})'
    return str(generator.anonymous_sql(node))


def _position_sql(generator: Any, node: exp.StrPosition) -> str:
    """`POSITION(b IN a)`, printed from a copy: sqlglot's printer puts the node's own arguments into a new
    IN node, which leaves them pointing at it as their parent, so a rule after a print (strip_parens) read
    `('@')` as an operand of IN and kept its parentheses."""
    return str(strposition_sql(generator, node.copy(), func_name="POSITION"))


Postgres.Generator.TRANSFORMS[exp.Anonymous] = _anonymous_sql
Postgres.Generator.TRANSFORMS[exp.StrPosition] = _position_sql
Postgres.Generator.TRANSFORMS[exp.Operator] = _operator_sql
Postgres.Generator.TRANSFORMS[exp.Not] = _not_sql

# `"bit"` quoted is the bit string type of any length (what `B'101'` is, and what pg_dump writes a bit
# string constant's cast as: `'101'::"bit"`); the keyword `bit` is `bit(1)`, the grammar's default length.
# sqlglot reads both as BIT: the quoted one is kept as the name it is, as its parser keeps `"char"`.
Postgres.Parser.QUOTED_TYPES_TO_PRESERVE.add("bit")


class _Postgres(Postgres):
    """PostgreSQL without the other databases' type names (registered by sqlglot as `_postgres`)."""

    class Tokenizer(Postgres.Tokenizer):
        KEYWORDS: ClassVar[dict[str, TokenType]] = {
            **{
                word: kind
                for word, kind in Postgres.Tokenizer.KEYWORDS.items()
                if word not in NOT_POSTGRES_TYPES
            },
            **SERIAL_ALIASES,
        }


@cache
def sqlglot_dialect(name: str) -> sqlglot.Dialect:
    """The dialect to read `name`'s scripts with."""
    if name == "postgres":
        return _Postgres()
    return sqlglot.Dialect.get_or_raise(name)
