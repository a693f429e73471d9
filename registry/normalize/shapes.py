"""The statements pg_dump writes by the hundred, compiled once per shape instead of once each.

A statement of one of these shapes (PostgreSQL only) is read by a strict pattern: a plain-column CREATE
[UNIQUE] INDEX, ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY / UNIQUE / FOREIGN KEY, ALTER TABLE ...
ALTER COLUMN ... SET DEFAULT, CREATE SEQUENCE with plain options, and CREATE TABLE with plain columns. Its
names are replaced by stand-ins, giving a probe: the same statement naming nothing, which the tree path
compiles (once per script for every statement of that shape: every `USING btree (<column>)`, every
`<name> integer NOT NULL` column). The real names are then put back into the probe's ops, raw where the
ops hold a name and quoted where they hold SQL text. Names are read as the tree path reads them; a keyword
used as a name stays as written, part of the shape. A name the pattern is not sure of (a dot, a quote or a
bracket inside a quoted name), a stand-in's own spelling anywhere in the statement, or a probe whose ops
are not the one op of its shape sends the statement to the tree path. tests/unit/test_shapes.py holds the
two paths equal on generated statements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import msgspec

from schemareg.lazy_re import lazy_compile
from schemareg.model import Column, Table
from schemareg.names import RESERVED
from schemareg.normalize import ops
from schemareg.normalize.keywords import KEYWORDS
from schemareg.render import quote

__all__ = ["Probes", "ShapeReader"]

# What one script's statements share: each probe's ops, cut at its stand-ins (None: the probe does not
# serve), the columns of CREATE TABLE by their definition, and the names read so far.
Probes = dict[Any, Any]
_NAMES = "names"

_STAND_IN = "schemareg_probe"
# Keywords in any case, letters and blanks ASCII only (the Kelvin sign is no K here): stricter than the tree
# path's reading, never looser, and much cheaper to compile than Unicode case folding.
_FLAGS = re.IGNORECASE | re.ASCII
_NAME = r'"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*'
_QNAME = rf"(?:{_NAME})(?:\.(?:{_NAME}))?"
_NAME_PART = lazy_compile(_NAME)
# What a quoted name may hold here: a dot, a quote or a bracket would meet the tree path's own readings of
# the text (dotted names, literals) in ways the stand-ins would not.
_QUOTED_SAFE = lazy_compile(r"[\w $-]+")
_KEYS = lazy_compile(rf"\s*(?P<column>{_NAME})(?:\s+(?P<opclass>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?))?\s*")
_INDEX = lazy_compile(
    rf"\s*CREATE\s+(?P<unique>UNIQUE\s+)?INDEX\s+(?P<name>{_NAME})\s+ON\s+(?P<only>ONLY\s+)?"
    rf"(?P<table>{_QNAME})\s+USING\s+(?P<method>[A-Za-z_]\w*)\s*\((?P<keys>[^()]*)\)\s*",
    _FLAGS,
)
_ALTER_TABLE = lazy_compile(rf"\s*ALTER\s+TABLE\s+(?P<only>ONLY\s+)?(?P<table>{_QNAME})\s+", _FLAGS)
_KEY = lazy_compile(
    rf"ADD\s+CONSTRAINT\s+(?P<name>{_NAME})\s+(?P<kind>PRIMARY\s+KEY|UNIQUE)\s*\((?P<columns>[^()]*)\)\s*",
    _FLAGS,
)
_FK_WORDS = "ON|DELETE|UPDATE|CASCADE|RESTRICT|SET|NULL|DEFAULT|NO|ACTION|MATCH|FULL|SIMPLE|NOT|DEFERRABLE"
_FOREIGN_KEY = lazy_compile(
    rf"ADD\s+CONSTRAINT\s+(?P<name>{_NAME})\s+FOREIGN\s+KEY\s*\((?P<columns>[^()]*)\)\s*REFERENCES\s+"
    rf"(?P<ref>{_QNAME})\s*(?:\((?P<ref_columns>[^()]*)\))?(?P<options>(?:\s+(?:{_FK_WORDS}|INITIALLY|"
    r"DEFERRED|IMMEDIATE)\b)*)\s*",
    _FLAGS,
)
_SET_DEFAULT = lazy_compile(
    rf"ALTER\s+(?:COLUMN\s+)?(?P<column>{_NAME})\s+SET\s+DEFAULT\s+(?P<default>\S.*?)\s*", _FLAGS | re.S
)
_NEXTVAL = lazy_compile(rf"nextval\('(?P<sequence>{_QNAME})'::regclass\)")
_SEQUENCE = lazy_compile(
    rf"\s*CREATE\s+SEQUENCE\s+(?P<name>{_QNAME})(?P<options>(?:\s+(?:[A-Za-z]+|-?\d+))*)\s*", _FLAGS
)
_TABLE = lazy_compile(rf"\s*CREATE\s+TABLE\s+(?P<table>{_QNAME})\s*\((?P<columns>.*)\)\s*", _FLAGS | re.S)
_COLUMN = lazy_compile(rf"\s*(?P<name>{_NAME})\s+(?P<spec>\S.*?)\s*", re.A | re.S)
# A column whose ops may name its table or itself (a serial's sequence, an identity's, a constraint's
# name), or whose text the plain splitting below might misread: compiled with its table.
_NOT_PLAIN_COLUMN = lazy_compile(
    r"identity|generated|serial|constraint|references|primary|unique|check|[$\\]|\bE'", re.I
)
# A stand-in in the probe's ops (JSON): a whole string of names is a name (its quotes are kept around
# it), elsewhere a stand-in is in SQL text.
_PLACE = lazy_compile(
    rf'(?<=(?<!\\)")(?P<raw>(?:[a-z_][a-z0-9_]*\.)*{_STAND_IN}\d+(?:\.(?:[a-z_][a-z0-9_]*|{_STAND_IN}\d+))*)(?=")'
    rf"|(?<![\w$]){_STAND_IN}(?P<token>\d+)(?![\w$])".encode()
)
_TOKEN = lazy_compile(rf"{_STAND_IN}(\d+)".encode())
_LIST_TOKENS = lazy_compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|[(),]")
_ENCODER = msgspec.json.Encoder()
_OPS = msgspec.json.Decoder(list[ops.AnyOp])


@functools.cache
def _keywords() -> frozenset[str]:
    """Words the tree path may read as something other than a name: every keyword of PostgreSQL's (reserved
    or not: sqlglot reads some unreserved ones as syntax, EXCLUDE in a foreign key), of sqlglot's tokenizer,
    and the words the canonical text quotes."""
    import sqlglot

    tokenizer = sqlglot.Dialect.get_or_raise("postgres").tokenizer_class
    words = {word.lower() for word in tokenizer.KEYWORDS if word.replace("_", "").isalnum()}
    return frozenset(word.lower() for word in KEYWORDS) | RESERVED | words


class _NotSure(Exception):
    """A name or a part of the statement the pattern is not sure it reads as the tree path does."""


def _is_keyword(written: str) -> bool:
    return written[0] != '"' and written.lower() in _keywords()


def _read_name(written: str, unquote: Callable[[str], str]) -> str:
    """One name as the tree path reads it (`unquote` is the context's), unless the pattern is not sure."""
    if written[0] == '"' and not _QUOTED_SAFE.fullmatch(written[1:-1]):
        raise _NotSure
    real = unquote(written)
    if not real or _STAND_IN in real.lower():
        raise _NotSure
    return real


class _Slots:
    """The names of one statement, each given a stand-in (equal names, equal stand-ins), and what each
    stand-in is in the statement's ops: its name, raw and as quoted in SQL text (both as in JSON)."""

    def __init__(self, read: Callable[[str], tuple[str, bytes, bytes]], default_schema: str) -> None:
        self._read = read
        self._default_schema = default_schema
        self._stand_ins: dict[str, str] = {}
        self._reals: list[str] = []
        self.forms: list[bytes] = []  # raw, quoted; raw, quoted; ... by stand-in

    def name(self, written: str, *, keyword: bool = True) -> str:
        """The stand-in of one name as written (quoted or not). A keyword stays as it is, part of the
        shape (the tree path reads it in the probe as in the statement), unless `keyword` is False."""
        if _is_keyword(written):
            if not keyword:
                raise _NotSure
            return written
        real, raw, quoted = self._read(written)
        found = self._stand_ins.get(real)
        if found is None:
            found = self._stand_ins[real] = f"{_STAND_IN}{len(self._reals)}"
            self._reals.append(real)
            self.forms += (raw, quoted)
        return found

    def qualified(self, written: str, *, keyword: bool = True) -> str:
        """`[schema.]name`: the default schema is left as it is, and a bare name bare (the tree path gives it
        the default schema, and reads a keyword after a dot otherwise than alone)."""
        parts = _NAME_PART.findall(written)
        name = self.name(parts[-1], keyword=keyword)
        if len(parts) == 1:
            return name
        if parts[0][0] != '"' and parts[0].lower() == self._default_schema:
            return f"{self._default_schema}.{name}"
        return f"{self.name(parts[0], keyword=keyword)}.{name}"

    def names(self, written: str) -> str:
        """A list of names in brackets (`a, "B"`), as stand-ins."""
        parts = written.split(",")
        if not all(_NAME_PART.fullmatch(part.strip()) for part in parts):
            raise _NotSure
        return ", ".join(self.name(part.strip()) for part in parts)

    def real(self, stand_in: str) -> str:
        """The name a stand-in stands for (the default schema stands for itself)."""
        if not stand_in.startswith(_STAND_IN):
            return stand_in
        return self._reals[int(stand_in[len(_STAND_IN) :])]

    def put_back(self, template: tuple[bytes | int, ...]) -> list[ops.AnyOp]:
        """The probe's ops with the real names in place of the stand-ins."""
        forms = self.forms
        return _OPS.decode(b"".join(part if isinstance(part, bytes) else forms[part] for part in template))


def _template(found: bytes) -> tuple[bytes | int, ...] | None:
    """A probe's ops as JSON cut at its stand-ins: each is `2 * n` where the ops hold the name (a whole
    string of names), `2 * n + 1` where they hold SQL text; None when a stand-in is left in another form
    (a name made from it, as a default name is)."""
    parts: list[bytes | int] = []
    pos = 0
    for m in _PLACE.finditer(found):
        parts.append(found[pos : m.start()])
        raw = m.group("raw")
        if raw is not None:
            inner = 0
            for token in _TOKEN.finditer(raw):
                parts += (raw[inner : token.start()], 2 * int(token.group(1)))
                inner = token.end()
            parts.append(raw[inner:])
        else:
            parts.append(2 * int(m.group("token")) + 1)
        pos = m.end()
    parts.append(found[pos:])
    if any(type(part) is bytes and _STAND_IN.encode() in part for part in parts):
        return None
    return tuple(part for part in parts if part != b"")


class ShapeReader:
    """Reads the statements of the shapes above through probes; `compile_tree` is the tree path."""

    def __init__(
        self,
        compile_tree: Callable[[str], list[ops.AnyOp]],
        unquote: Callable[[str], str],
        default_schema: str,
    ) -> None:
        self._compile_tree = compile_tree
        self._unquote = unquote
        self._default_schema = default_schema

    def read(self, text: str, probes: Probes) -> list[ops.AnyOp] | None:
        """The statement's ops from a probe, or None: the statement is not of a shape read here."""
        if _STAND_IN in text.lower():
            return None  # a stand-in's own spelling, as a name or in the words kept as written
        head = text[:24].lstrip()[:16].upper()
        if head.startswith("CREATE TABLE"):
            return self._table(text, probes)
        kind: type[ops.Op]
        try:
            slots = self._slots(probes)
            if head.startswith(("CREATE INDEX", "CREATE UNIQUE")):
                probe, kind = self._index(text, slots), ops.CreateIndex
            elif head.startswith("ALTER TABLE"):
                probe, kind = self._alter_table(text, slots)
            elif head.startswith("CREATE SEQUENCE"):
                probe, kind = self._sequence(text, slots), ops.CreateSequence
            else:
                return None
        except _NotSure:
            return None
        if probe is None:
            return None
        if probe not in probes:
            probes[probe] = self._probe_ops(probe, kind)
        found = probes[probe]
        return None if found is None else slots.put_back(found)

    def _probe_ops(self, probe: str, kind: type[ops.Op]) -> tuple[bytes | int, ...] | None:
        found = self._compile_tree(probe)
        if len(found) != 1 or type(found[0]) is not kind or found[0].if_table:
            return None
        return _template(_ENCODER.encode(found))

    def _slots(self, probes: Probes) -> _Slots:
        """The slots of one statement, reading names through the script's memo of them."""
        known: dict[str, tuple[str, bytes, bytes] | None] = probes.setdefault(_NAMES, {})

        def read(written: str) -> tuple[str, bytes, bytes]:
            if written not in known:
                try:
                    real = _read_name(written, self._unquote)
                    known[written] = (real, _ENCODER.encode(real)[1:-1], _ENCODER.encode(quote(real))[1:-1])
                except _NotSure:
                    known[written] = None
            found = known[written]
            if found is None:
                raise _NotSure
            return found

        return _Slots(read, self._default_schema)

    def _index(self, text: str, slots: _Slots) -> str | None:
        m = _INDEX.fullmatch(text)
        if m is None:
            return None
        keys = []
        for key in m.group("keys").split(","):
            k = _KEYS.fullmatch(key)
            if k is None:
                return None
            opclass = k.group("opclass")
            if opclass is not None and opclass.lower() in _keywords():
                return None  # DESC, NULLS, COLLATE...: not an operator class
            keys.append(slots.name(k.group("column")) + (f" {opclass}" if opclass else ""))
        unique = "UNIQUE " if m.group("unique") else ""
        only = "ONLY " if m.group("only") else ""
        name, table = slots.name(m.group("name")), slots.qualified(m.group("table"))
        return f"CREATE {unique}INDEX {name} ON {only}{table} USING {m.group('method')} ({', '.join(keys)})"

    def _alter_table(self, text: str, slots: _Slots) -> tuple[str | None, type[ops.Op]]:
        m = _ALTER_TABLE.match(text)
        if m is None:
            return None, ops.Op
        head = f"ALTER TABLE {'ONLY ' if m.group('only') else ''}{slots.qualified(m.group('table'))} "
        rest = text[m.end() :]
        key = _KEY.fullmatch(rest)
        if key is not None:
            name, columns = slots.name(key.group("name")), slots.names(key.group("columns"))
            kind = " ".join(key.group("kind").upper().split())
            return f"{head}ADD CONSTRAINT {name} {kind} ({columns})", ops.AddConstraint
        fk = _FOREIGN_KEY.fullmatch(rest)
        if fk is not None:
            name, columns = slots.name(fk.group("name")), slots.names(fk.group("columns"))
            target = slots.qualified(fk.group("ref"))
            if fk.group("ref_columns") is not None:
                target += f" ({slots.names(fk.group('ref_columns'))})"
            options = " ".join(fk.group("options").split())
            probe = f"{head}ADD CONSTRAINT {name} FOREIGN KEY ({columns}) REFERENCES {target} {options}"
            return probe.rstrip(), ops.AddConstraint
        default = _SET_DEFAULT.fullmatch(rest)
        if default is not None:
            column, value = slots.name(default.group("column")), default.group("default")
            nextval = _NEXTVAL.fullmatch(value)
            if nextval is not None:
                value = f"nextval('{slots.qualified(nextval.group('sequence'))}'::regclass)"
            elif _STAND_IN in value.lower():
                raise _NotSure
            return f"{head}ALTER COLUMN {column} SET DEFAULT {value}", ops.AlterColumn
        return None, ops.Op

    def _sequence(self, text: str, slots: _Slots) -> str | None:
        m = _SEQUENCE.fullmatch(text)
        if m is None:
            return None
        return f"CREATE SEQUENCE {slots.qualified(m.group('name'))} {' '.join(m.group('options').split())}"

    def _table(self, text: str, probes: Probes) -> list[ops.AnyOp] | None:
        """CREATE TABLE of plain columns: each column a probe of its own, in a table that is one too."""
        m = _TABLE.fullmatch(text)
        if m is None:
            return None
        try:
            return self._columns(m, probes)
        except _NotSure:
            return None

    def _columns(self, m: re.Match[str], probes: Probes) -> list[ops.AnyOp] | None:
        items = _top_level_items(m.group("columns"))
        if not items:
            return None
        slots = self._slots(probes)
        # The table is no probe's: its name is read here.
        table = slots.qualified(m.group("table"), keyword=False)
        schema, _, name = table.rpartition(".")
        real_schema = slots.real(schema or self._default_schema)
        keys, names = [], []
        for item in items:
            c = _COLUMN.fullmatch(item)
            if c is None:
                return None
            written = c.group("name")
            column_name = slots.name(written)
            # A keyword column keeps its name in the probe: the tree path reads it there.
            key = ("column", column_name if column_name == written else "", c.group("spec"))
            if key not in probes and _NOT_PLAIN_COLUMN.search(key[2]):
                probes[key] = None
            keys.append(key)
            names.append(column_name)
        new = list(dict.fromkeys(key for key in keys if key not in probes))
        if new:
            probes.update(zip(new, self._probe_columns(new), strict=True))
        columns: list[Column] = []
        for key, column_name in zip(keys, names, strict=True):
            found = probes[key]
            if found is None:
                return None
            name_of = found.name if key[1] else slots.real(column_name)
            columns.append(msgspec.structs.replace(found, name=name_of))  # a copy: ops are changed later
        real_name = slots.real(name)
        return [ops.CreateTable(table=Table(schema=real_schema, name=real_name, columns=columns))]

    def _probe_columns(self, keys: list[tuple[str, str, str]]) -> list[Column | None]:
        """Columns from one probe, a table of `<stand-in or keyword> <definition>` columns (each column is
        compiled alone by the tree path); if it does not serve, each column from a probe of its own."""
        stand_ins = [keyword or f"{_STAND_IN}{i + 1}" for i, (_, keyword, _) in enumerate(keys)]
        listed = ",\n    ".join(f"{name} {spec}" for name, (_, _, spec) in zip(stand_ins, keys, strict=True))
        found = self._compile_tree(f"CREATE TABLE {self._default_schema}.{_STAND_IN}0 (\n    {listed}\n)")
        op = found[0] if len(found) == 1 else None
        if type(op) is ops.CreateTable and not (op.if_table or op.if_not_exists or op.partition_of):
            expected = Table(schema=self._default_schema, name=f"{_STAND_IN}0", columns=op.table.columns)
            columns = expected.columns
            if op.table == expected and len(columns) == len(keys):
                checked = [
                    column
                    if (keyword or column.name == stand_in)
                    and _STAND_IN not in _ENCODER.encode(msgspec.structs.replace(column, name="")).decode()
                    else None
                    for column, stand_in, (_, keyword, _) in zip(columns, stand_ins, keys, strict=True)
                ]
                if all(column is not None for column in checked):
                    return checked
        if len(keys) == 1:
            return [None]
        return [self._probe_columns([key])[0] for key in keys]


def _top_level_items(text: str) -> list[str] | None:
    """The items of a bracketed list, split at commas outside brackets and quotes; None when the brackets
    do not balance (the list's closing bracket is not the statement's last)."""
    if "(" not in text and ")" not in text and "'" not in text and '"' not in text:
        items = text.split(",")
    else:
        items, depth, start = [], 0, 0
        for m in _LIST_TOKENS.finditer(text):
            token = m.group(0)
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
                if depth < 0:
                    return None
            elif token == "," and depth == 0:
                items.append(text[start : m.start()])
                start = m.end()
            elif token[0] in "'\"" and (len(token) < 2 or token[-1] != token[0]):
                return None  # a quote left open
        if depth:
            return None
        items.append(text[start:])
    return items if all(item.strip() for item in items) else None
