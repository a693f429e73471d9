"""The built-in types, implicit casts, operators and functions that decide which casts PostgreSQL inserts
into an expression it stores: a small slice of pg_type, pg_cast, pg_operator and pg_proc.

Types are named as in pg_type (`int4`, `varchar`, `bpchar`, `timestamptz`); "unknown" is an untyped string
literal, whose type the context decides. A type missing here is one the resolver does not know (typing.py
keeps an expression with such a type as written). A function or operator is listed with every overload
that takes these types, since leaving one out would make the resolver choose another.
"""

from __future__ import annotations

from sqlglot import exp

UNKNOWN = "unknown"
# A polymorphic argument: any known type that is not an array (textanycat's `anynonarray || text`).
ANY_NONARRAY = "anynonarray"

# typcategory: S string, N numeric, D date/time, T timespan, B boolean; others their own.
CATEGORY: dict[str, str] = {
    "text": "S",
    "varchar": "S",
    "bpchar": "S",
    "int2": "N",
    "int4": "N",
    "int8": "N",
    "numeric": "N",
    "float4": "N",
    "float8": "N",
    "date": "D",
    "time": "D",
    "timestamp": "D",
    "timestamptz": "D",
    "interval": "T",
    "bool": "B",
    "jsonb": "U",
    "json": "U",
    "uuid": "U",
    "regconfig": "N",
    "tsvector": "U",
}
PREFERRED = frozenset({"text", "float8", "timestamptz", "interval", "bool"})

# pg_cast with castcontext 'i', between the types above.
IMPLICIT: frozenset[tuple[str, str]] = frozenset(
    [
        *((s, t) for s in ("text", "varchar", "bpchar") for t in ("text", "varchar", "bpchar") if s != t),
        ("int2", "int4"),
        ("int2", "int8"),
        ("int4", "int8"),
        *((s, t) for s in ("int2", "int4", "int8") for t in ("numeric", "float4", "float8")),
        ("numeric", "float4"),
        ("numeric", "float8"),
        ("float4", "float8"),
        ("date", "timestamp"),
        ("date", "timestamptz"),
        ("timestamp", "timestamptz"),
        ("time", "interval"),
    ]
)

# How a cast to each type is written, as PostgreSQL prints it.
PG_NAME: dict[str, str] = {
    "text": "text",
    "varchar": "character varying",
    "bpchar": "bpchar",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "numeric": "numeric",
    "float4": "real",
    "float8": "double precision",
    "date": "date",
    "time": "time without time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "interval": "interval",
    "bool": "boolean",
    "jsonb": "jsonb",
    "json": "json",
    "uuid": "uuid",
    "regconfig": "regconfig",
    "tsvector": "tsvector",
}

# The canonical spelling of a column's type (context.column_type_sql, modifiers dropped) -> its type.
COLUMN_TYPES: dict[str, str] = {
    "TEXT": "text",
    "VARCHAR": "varchar",
    "CHAR": "bpchar",
    "BPCHAR": "bpchar",
    "SMALLINT": "int2",
    "INT": "int4",
    "BIGINT": "int8",
    "DECIMAL": "numeric",
    "REAL": "float4",
    "DOUBLE PRECISION": "float8",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "INTERVAL": "interval",
    "BOOLEAN": "bool",
    "JSONB": "jsonb",
    "JSON": "json",
    "UUID": "uuid",
    "TSVECTOR": "tsvector",
    "REGCONFIG": "regconfig",
    "SERIAL": "int4",
    "BIGSERIAL": "int8",
    "SMALLSERIAL": "int2",
}

# sqlglot's type of a cast target -> the type (only targets without modifiers mean the bare type).
_T = exp.DataType.Type
CAST_TYPES: dict[object, str] = {
    _T.TEXT: "text",
    _T.VARCHAR: "varchar",
    _T.CHAR: "bpchar",
    _T.BPCHAR: "bpchar",
    _T.SMALLINT: "int2",
    _T.INT: "int4",
    _T.BIGINT: "int8",
    _T.DECIMAL: "numeric",
    _T.FLOAT: "float4",
    _T.DOUBLE: "float8",
    _T.DATE: "date",
    _T.TIME: "time",
    _T.TIMESTAMP: "timestamp",
    _T.TIMESTAMPTZ: "timestamptz",
    _T.INTERVAL: "interval",
    _T.BOOLEAN: "bool",
    _T.JSONB: "jsonb",
    _T.JSON: "json",
    _T.UUID: "uuid",
}

Signature = tuple[tuple[str, ...], str]  # argument types, result type

_INTEGERS = ("int2", "int4", "int8")
_ORDERED = ("text", "bpchar", "numeric", "float4", "float8", "date", "time", "timestamp", "timestamptz")


def _comparisons() -> list[Signature]:
    pairs = [(t, t) for t in (*_ORDERED, "interval", "bool", "uuid", "jsonb", "tsvector")]
    pairs += [(a, b) for a in _INTEGERS for b in _INTEGERS]
    pairs += [("float4", "float8"), ("float8", "float4")]
    dated = ("date", "timestamp", "timestamptz")
    pairs += [(a, b) for a in dated for b in dated if a != b]
    return [((a, b), "bool") for a, b in pairs]


def _arithmetic(operator: str) -> list[Signature]:
    integers = [
        ((a, b), a if _INTEGERS.index(a) > _INTEGERS.index(b) else b) for a in _INTEGERS for b in _INTEGERS
    ]
    numbers = [(("numeric", "numeric"), "numeric"), (("float4", "float4"), "float4")]
    numbers += [
        (("float8", "float8"), "float8"),
        (("float4", "float8"), "float8"),
        (("float8", "float4"), "float8"),
    ]
    times: list[Signature] = []
    if operator in "+-":
        times += [(("interval", "interval"), "interval")]
        times += [
            ((t, "interval"), "timestamp" if t == "date" else t) for t in ("date", "timestamp", "timestamptz")
        ]
        times += [(("date", "int4"), "date"), (("time", "interval"), "time")]
    if operator == "+":
        times += [
            (("interval", t), "timestamp" if t == "date" else t) for t in ("date", "timestamp", "timestamptz")
        ]
        times += [(("int4", "date"), "date")]
    if operator == "-":
        times += [(("date", "date"), "int4"), (("timestamp", "timestamp"), "interval")]
        times += [(("timestamptz", "timestamptz"), "interval"), (("time", "time"), "interval")]
    if operator in "*/":
        times += [(("interval", "float8"), "interval")]
    if operator == "*":
        times += [(("float8", "interval"), "interval")]
    return integers + numbers + times


COMPARISON = _comparisons()
_LIKE: list[Signature] = [(("text", "text"), "bool"), (("bpchar", "text"), "bool")]

OPERATORS: dict[type[exp.Expression], list[Signature]] = {
    exp.EQ: COMPARISON,
    exp.NEQ: COMPARISON,
    exp.LT: COMPARISON,
    exp.LTE: COMPARISON,
    exp.GT: COMPARISON,
    exp.GTE: COMPARISON,
    exp.Like: _LIKE,
    exp.ILike: _LIKE,
    exp.RegexpLike: _LIKE,  # `~`: text's (textregexeq), bpchar's
    exp.RegexpILike: _LIKE,
    exp.DPipe: [
        (("text", "text"), "text"),
        ((ANY_NONARRAY, "text"), "text"),
        (("text", ANY_NONARRAY), "text"),
        (("jsonb", "jsonb"), "jsonb"),
        (("tsvector", "tsvector"), "tsvector"),
    ],
    exp.Add: _arithmetic("+"),
    exp.Sub: _arithmetic("-"),
    exp.Mul: _arithmetic("*"),
    exp.Div: _arithmetic("/"),
    exp.Mod: [((t, t), t) for t in (*_INTEGERS, "numeric")],
}

# Operators read as `exp.Operator` by their name (pg_parser: `!~`, `!~*`, which sqlglot has no node for).
NAMED_OPERATORS: dict[str, list[Signature]] = {"pg_catalog.!~": _LIKE, "pg_catalog.!~*": _LIKE}

_TEXT_TO_TEXT: list[Signature] = [(("text",), "text")]
_NUMERIC_SAME: list[Signature] = [((t,), t) for t in ("int2", "int4", "int8", "numeric", "float4", "float8")]

# Functions by name (as PostgreSQL names them), each with its overloads on the types above.
FUNCTIONS: dict[str, list[Signature]] = {
    "lower": _TEXT_TO_TEXT,
    "upper": _TEXT_TO_TEXT,
    "initcap": _TEXT_TO_TEXT,
    "md5": _TEXT_TO_TEXT,
    "reverse": _TEXT_TO_TEXT,
    "length": [(("text",), "int4"), (("bpchar",), "int4"), (("tsvector",), "int4")],
    "char_length": [(("text",), "int4"), (("bpchar",), "int4")],
    "character_length": [(("text",), "int4"), (("bpchar",), "int4")],
    "octet_length": [(("text",), "int4"), (("bpchar",), "int4")],
    "left": [(("text", "int4"), "text")],
    "right": [(("text", "int4"), "text")],
    "replace": [(("text", "text", "text"), "text")],
    "split_part": [(("text", "text", "int4"), "text")],
    "lpad": [(("text", "int4"), "text"), (("text", "int4", "text"), "text")],
    "rpad": [(("text", "int4"), "text"), (("text", "int4", "text"), "text")],
    "regexp_replace": [(("text", "text", "text"), "text"), (("text", "text", "text", "text"), "text")],
    "to_tsvector": [(("text",), "tsvector"), (("regconfig", "text"), "tsvector")],
    "abs": _NUMERIC_SAME,
    "round": [(("numeric",), "numeric"), (("float8",), "float8"), (("numeric", "int4"), "numeric")],
    "floor": [(("numeric",), "numeric"), (("float8",), "float8")],
    "ceil": [(("numeric",), "numeric"), (("float8",), "float8")],
    "ceiling": [(("numeric",), "numeric"), (("float8",), "float8")],
    "now": [((), "timestamptz")],
}

# sqlglot's nodes for some of those functions: (PostgreSQL's name, the node's arguments in order).
FUNCTION_NODES: dict[type[exp.Expression], tuple[str, tuple[str, ...]]] = {
    exp.Lower: ("lower", ("this",)),
    exp.Upper: ("upper", ("this",)),
    exp.MD5: ("md5", ("this",)),
    exp.Reverse: ("reverse", ("this",)),
    exp.Left: ("left", ("this", "expression")),
    exp.Right: ("right", ("this", "expression")),
    exp.Replace: ("replace", ("this", "expression", "replacement")),
    exp.SplitPart: ("split_part", ("this", "delimiter", "part_index")),
    exp.Abs: ("abs", ("this",)),
    exp.Round: ("round", ("this", "decimals")),
    exp.Floor: ("floor", ("this",)),
    exp.Ceil: ("ceil", ("this",)),
    exp.CurrentTimestamp: ("now", ()),
}
