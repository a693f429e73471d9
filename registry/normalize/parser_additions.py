"""What PostgreSQL's parser adds to a call or a cast before storing it, written out: a length of one on a
cast to `char` or `bit` written without one (`CAST(NULL AS national char)` is stored as
`NULL::character(1)`, as a column's type is; `bpchar` and `"char"` keep none), and the VARIADIC array that
a variadic function's trailing arguments are collected into, and the bit string a `B'101'` or `X'1F'`
constant is."""

from __future__ import annotations

from sqlglot import exp

from schemareg.normalize.triggers import looks_for

_ONE_BY_DEFAULT = (exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR, exp.DataType.Type.BIT)


@looks_for(exp.DataType, adds=(exp.DataTypeParam, exp.Literal))
def one_character(node: exp.Expression, dialect: str) -> exp.Expression:
    if dialect != "postgres":
        return node
    for data_type in node.find_all(exp.DataType):
        if data_type.this in _ONE_BY_DEFAULT and not data_type.expressions:
            data_type.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(1))])
    return node


def bit_string_type() -> exp.DataType:
    """`"bit"`: the bit string type of any length, as PostgreSQL prints it (the keyword `bit` is `bit(1)`)."""
    return exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=exp.to_identifier("bit", quoted=True))


@looks_for(exp.BitString, exp.HexString, adds=(exp.Cast, exp.DataType, exp.Identifier, exp.Literal))
def bit_constants(node: exp.Expression, dialect: str) -> exp.Expression:
    """`B'101'` is stored as `'101'::"bit"`, and `X'1F'`, four bits a digit, as `'00011111'::"bit"`."""
    if dialect != "postgres":
        return node
    for constant in list(node.find_all(exp.BitString, exp.HexString)):
        digits = str(constant.this)
        if isinstance(constant, exp.HexString):
            try:
                digits = "".join(f"{int(digit, 16):04b}" for digit in digits)
            except ValueError:
                continue  # not a hexadecimal digit: PostgreSQL refuses it, and so it stays as written
        cast = exp.Cast(this=exp.Literal.string(digits), to=bit_string_type())
        parent = constant.parent
        if isinstance(parent, exp.Cast) and parent.to == cast.to:
            constant = parent  # `B'1'::"bit"` is one constant: the cast to its own type is none
        if constant is node:
            return cast
        constant.replace(cast)
    return node


# pg_catalog's functions whose last argument is a VARIADIC array of a type (not "any"): PostgreSQL collects
# the trailing arguments of a call into that array and prints the call so (`json_extract_path_text(j,
# VARIADIC ARRAY['k'::text])`). jsonb_delete is left out: (jsonb, text) is an overload of its own.
_VARIADIC_FROM = {
    "json_extract_path": 1,
    "json_extract_path_text": 1,
    "jsonb_extract_path": 1,
    "jsonb_extract_path_text": 1,
}


@looks_for(exp.Anonymous, adds=(exp.Variadic, exp.Array))
def variadic_arrays(node: exp.Expression, dialect: str) -> exp.Expression:
    """`json_extract_path_text(j, 'k', 'l')` is `json_extract_path_text(j, VARIADIC ARRAY['k', 'l'])`."""
    if dialect != "postgres":
        return node
    for call in node.find_all(exp.Anonymous):
        first = _VARIADIC_FROM.get(str(call.this).lower())
        args = call.expressions
        if first is None or len(args) <= first or any(isinstance(a, exp.Variadic) for a in args):
            continue
        packed = exp.Variadic(this=exp.Array(expressions=args[first:]))
        call.set("expressions", [*args[:first], packed])
    return node
