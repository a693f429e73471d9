"""CREATE AGGREGATE, read by pattern (PostgreSQL), as introspection describes an aggregate.

An aggregate was kept as written: its name, its state type and its functions bare where the script's
search path gave them a schema, options in the order written, so a file and the database it built differed,
and schema.sql did not replay once its objects were in another schema. Read here: the name qualified, the
argument types as the routine's identity, `SFUNC`, `STYPE`, `SSPACE`, `FINALFUNC` (`FINALFUNC_EXTRA`),
`COMBINEFUNC`, `SERIALFUNC`, `DESERIALFUNC`, `INITCOND` (a string, as stored), `SORTOP`, `HYPOTHETICAL` and
`PARALLEL` (unless `UNSAFE`) in introspection's order, functions qualified unless pg_catalog's, the state
type in its canonical spelling. The old form (`BASETYPE = t`) names its argument in the options. An
aggregate with options introspection does not read (moving-aggregate ones, FINALFUNC_MODIFY) or an
ordered-set one keeps the statement as written.
"""

from __future__ import annotations

import re

from schemareg.lazy_re import lazy_compile
from schemareg.model import Definition, Kind
from schemareg.names import join_key
from schemareg.normalize import ops
from schemareg.normalize.catalog_functions import CATALOG_FUNCTIONS
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.patterns import split_top_level
from schemareg.normalize.ranges import in_catalog
from schemareg.normalize.text import QNAME, STRING, balanced, string_value
from schemareg.render import quote_qualified

_HEAD = lazy_compile(rf"\s*CREATE\s+(?:OR\s+REPLACE\s+)?AGGREGATE\s+(?P<name>{QNAME})\s*\(", re.IGNORECASE)
_OPTION = lazy_compile(r"\s*(?P<key>\w+)\s*(?:=\s*(?P<value>.+?))?\s*", re.DOTALL)
_FUNCTIONS = ("SFUNC", "FINALFUNC", "COMBINEFUNC", "SERIALFUNC", "DESERIALFUNC")
_ORDER = (
    "SFUNC", "STYPE", "SSPACE", "FINALFUNC", "FINALFUNC_EXTRA", "COMBINEFUNC", "SERIALFUNC",
    "DESERIALFUNC", "INITCOND", "SORTOP", "HYPOTHETICAL", "PARALLEL",
)  # fmt: skip
_FLAGS = ("FINALFUNC_EXTRA", "HYPOTHETICAL")


@applies_to("CREATE AGGREGATE", "CREATE OR REPLACE")
def read_aggregate(context: Context, text: str) -> list[ops.AnyOp] | None:
    head = _HEAD.match(text) if context.dialect == "postgres" else None
    if head is None:
        return None
    close = balanced(text, head.end())
    arguments = text[head.end() : close].strip()
    rest = text[close + 1 :].strip().rstrip(";").strip()
    if not rest.startswith("(") or balanced(rest, 1) != len(rest) - 1:
        if arguments.upper().find("SFUNC") < 0 or rest:
            return None
        rest, arguments = f"({arguments})", ""  # the old form: CREATE AGGREGATE name (BASETYPE = t, ...)
    if "ORDER BY" in re.sub(r"\s+", " ", arguments.upper()):
        return None  # an ordered-set aggregate
    options: dict[str, str] = {}
    for part in split_top_level(rest[1:-1]):
        option = _OPTION.fullmatch(part)
        if option is None:
            return None
        key, value = option.group("key").upper(), option.group("value")
        if key == "BASETYPE" and value is not None and not arguments:
            arguments = "*" if value.strip().upper() == "ANY" else value
        elif key in _FLAGS and value is None:
            options[key] = ""
        elif key not in _ORDER or key in _FLAGS or value is None:
            return None  # an option introspection does not read: kept as written
        else:
            options[key] = value.strip()
    if "SFUNC" not in options or "STYPE" not in options:
        return None
    for key in _FUNCTIONS:
        if key in options:
            options[key] = in_catalog(context, options[key], CATALOG_FUNCTIONS)
    options["STYPE"] = context.routines.type_name(options["STYPE"])
    if "INITCOND" in options:
        initial = options["INITCOND"]
        value = string_value(initial) if re.fullmatch(STRING, initial) else initial
        options["INITCOND"] = "'" + value.replace("'", "''") + "'"
    if "PARALLEL" in options:
        parallel = options.pop("PARALLEL").strip("'").lower()
        if parallel != "unsafe":
            options["PARALLEL"] = parallel
    if "SORTOP" in options:
        options["SORTOP"] = re.sub(
            r"^OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?(.*?)\s*\)$", r"\1", options["SORTOP"]
        )
    schema, name = context.read_name(head.group("name"))
    signature = "*" if arguments.strip() in ("*", "") else context.signature_from_text(arguments)
    listed = ", ".join(f"{k} = {options[k]}" if options[k] else k for k in _ORDER if k in options)
    sql = f"CREATE AGGREGATE {quote_qualified(join_key(schema, name), 'postgres')}({signature}) ({listed})"
    key = f"{name}({signature if signature != '*' else ''})"
    definition = Definition(kind=Kind.AGGREGATE, schema=schema, name=key, sql=sql)
    return [ops.CreateDefinition(definition=definition, replace=True)]
