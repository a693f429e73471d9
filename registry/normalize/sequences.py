"""Sequences: CREATE SEQUENCE, ALTER SEQUENCE ... OWNED BY / options, and the canonical option text that
sequences and identity columns share (one fixed order, defaults left out)."""

from __future__ import annotations

import re

from sqlglot import exp

from schemareg.lazy_re import lazy_compile
from schemareg.model import Sequence
from schemareg.names import join_key, make_object_name, split_key
from schemareg.normalize import ops
from schemareg.normalize.context import Context
from schemareg.normalize.heads import applies_to
from schemareg.normalize.text import QNAME, WS

_SEQ_DEFAULTS = {"START": "1", "INCREMENT": "1", "CACHE": "1"}
_OWNED_BY = lazy_compile(
    rf"\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?(?P<seq>{QNAME})\s+OWNED\s+BY\s+(?P<owner>{QNAME}|NONE)\s*$",
    re.IGNORECASE,
)
_ALTER_SEQUENCE = lazy_compile(
    rf"\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?(?P<seq>{QNAME})\s+(?P<options>(?:AS|INCREMENT|MINVALUE|MAXVALUE|NO|"
    rf"START|RESTART|CACHE|CYCLE)\b[^;]*)$",
    re.IGNORECASE | re.DOTALL,
)
_SET_LOGGED = lazy_compile(
    rf"\s*ALTER\s+SEQUENCE\s+(?P<exists>IF\s+EXISTS\s+)?(?P<seq>{QNAME})\s+SET\s+(?P<un>UN)?LOGGED\s*$",
    re.IGNORECASE,
)
_RESTART = lazy_compile(r"\bRESTART(?:\s+WITH)?(?:\s+-?\d+)?", re.IGNORECASE)


def create_sequence(context: Context, tree: exp.Create, text: str) -> list[ops.AnyOp]:
    schema, name = context.table_name(tree.this)
    parts: list[str] = []
    as_type = tree.args.get("expression")
    if isinstance(as_type, exp.DataType):
        parts.append(f"AS {context.type_sql(as_type)}")
    owner: list[ops.AnyOp] = []
    unlogged = False
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.UnloggedProperty):
            unlogged = True
            continue
        owned = prop.args.get("owned") if isinstance(prop, exp.SequenceProperties) else None
        if isinstance(owned, exp.Column) and owned.table:
            # CREATE SEQUENCE ... OWNED BY t.c: as ALTER SEQUENCE ... OWNED BY after it (it was lost)
            table, column = context.read_column(context.generate(owned))
            owned_by = join_key(*split_key(table), column)
            owner.append(ops.SequenceOwner(sequence=context.qualify(schema, name), owned_by=owned_by))
        parts.append(context.generate(prop))
    options = sequence_options(" ".join(parts), context=context)
    return [
        ops.CreateSequence(
            sequence=Sequence(schema=schema, name=name, options=options, unlogged=unlogged),
            if_not_exists=bool(tree.args.get("exists")),
        ),
        *owner,
    ]


_SEQUENCE_NAME = lazy_compile(rf"\bSEQUENCE NAME ({QNAME})", re.IGNORECASE)


@applies_to("ALTER SEQUENCE")
def owned_by(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER SEQUENCE ... OWNED BY table.column | NONE."""
    m = _OWNED_BY.match(text)
    if m is None:
        return None
    sequence = context.read_qualified_name(m.group("seq"))
    owner = m.group("owner")
    if owner.upper() == "NONE":
        return [ops.SequenceOwner(sequence=sequence, owned_by=None)]
    table, column = context.read_column(owner)
    return [ops.SequenceOwner(sequence=sequence, owned_by=join_key(*split_key(table), column))]


@applies_to("ALTER SEQUENCE")
def alter_sequence(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER SEQUENCE ... options; RESTART is data, as setval is."""
    m = _ALTER_SEQUENCE.match(text)
    if m is None:
        return None
    options = _RESTART.sub(" ", m.group("options"))
    if not options.strip():
        return [ops.Ignored(reason="sequence state")]
    sequence = context.read_qualified_name(m.group("seq"))
    return [ops.AlterSequence(sequence=sequence, options=WS.sub(" ", options).strip().upper())]


def sequence_options(
    text: str,
    *,
    table: str = "",
    column: str = "",
    context: Context | None = None,
    column_type: str | None = None,
) -> str:
    """Sequence options in a fixed order, defaults left out (AS bigint, START 1, INCREMENT 1, CACHE 1, ...);
    an identity column's sequence is of the column's type (`column_type`), whose maximum is its default."""
    squashed = WS.sub(" ", text.strip())
    words = squashed.upper()
    found: dict[str, str] = {}
    m = _SEQUENCE_NAME.search(squashed)  # in the text as written: a quoted name keeps its case
    if m and context is not None:
        seq_schema, seq_name = context.read_name(m.group(1))
        default_name = make_object_name(split_key(table)[-1], column, "seq")
        if seq_name != default_name:
            found["SEQUENCE NAME"] = context.quote_qualified(context.qualify(seq_schema, seq_name))
    for key, pattern in (
        ("AS", r"\bAS (\w+(?: PRECISION)?)"),
        ("INCREMENT", r"\bINCREMENT(?: BY)? (-?\d+)"),
        ("MINVALUE", r"(?<!NO )\bMINVALUE (-?\d+)"),
        ("MAXVALUE", r"(?<!NO )\bMAXVALUE (-?\d+)"),
        ("START", r"\bSTART(?: WITH)? (-?\d+)"),
        ("CACHE", r"\bCACHE (\d+)"),
    ):
        m = re.search(pattern, words)
        if m:
            found[key] = m.group(1)
    if re.search(r"(?<!NO )\bCYCLE\b", words):
        found["CYCLE"] = ""
    as_type = found.pop("AS", None)
    if as_type is not None:
        as_type = {"INTEGER": "INT", "INT4": "INT", "INT8": "BIGINT", "INT2": "SMALLINT"}.get(
            as_type, as_type
        )
        if as_type != "BIGINT":
            found = {"AS": as_type, **found}
    increment = int(found.get("INCREMENT", "1"))
    defaults = dict(_SEQ_DEFAULTS)
    if increment < 0:
        defaults["START"] = found.get("MAXVALUE", "-1")
    else:
        defaults["START"] = found.get("MINVALUE", "1")
    of_type = found.get("AS") or (column_type if column_type in ("INT", "SMALLINT") else None)
    type_max = {"INT": "2147483647", "SMALLINT": "32767", None: "9223372036854775807"}.get(of_type)
    if found.get("MAXVALUE") == type_max and increment > 0:
        found.pop("MAXVALUE")
    if found.get("MINVALUE") == "1" and increment > 0:
        found.pop("MINVALUE")
    for key, value in defaults.items():
        if found.get(key) == value:
            found.pop(key)
    order = ["SEQUENCE NAME", "AS", "START", "INCREMENT", "MINVALUE", "MAXVALUE", "CACHE", "CYCLE"]
    words_out = []
    for key in order:
        if key in found:
            label = {"START": "START WITH", "INCREMENT": "INCREMENT BY"}.get(key, key)
            words_out.append(f"{label} {found[key]}".strip())
    return " ".join(words_out)


@applies_to("ALTER SEQUENCE")
def set_sequence_logged(context: Context, text: str) -> list[ops.AnyOp] | None:
    """ALTER SEQUENCE s SET UNLOGGED / SET LOGGED."""
    m = _SET_LOGGED.match(text)
    if m is None:
        return None
    sequence = context.read_qualified_name(m.group("seq"))
    return [
        ops.SetSequenceLogged(
            sequence=sequence, unlogged=m.group("un") is not None, if_exists=bool(m.group("exists"))
        )
    ]
