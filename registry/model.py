"""The canonical schema model: plain typed value objects that the normaliser builds and the differ compares.

Every identifier stored here is already canonical (case folded, unquoted where quoting was needless) and
every expression (types, defaults, predicates) is already rendered to canonical SQL text, so two models
compare equal exactly when the schemas they describe are the same.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable

import msgspec

from schemareg.names import escape_filename, join_key, key_part, split_signature


class Kind(enum.StrEnum):
    """The kinds of schema object; the value is the singular used in JSON, the folder name is plural."""

    SCHEMA = "schema"
    EXTENSION = "extension"
    TYPE = "type"
    DOMAIN = "domain"
    SEQUENCE = "sequence"
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    FUNCTION = "function"
    PROCEDURE = "procedure"
    AGGREGATE = "aggregate"
    TRIGGER = "trigger"
    POLICY = "policy"
    INDEX = "index"  # only for an index whose table is not in the schema (kept, never dropped)
    RULE = "rule"
    OPERATOR = "operator"
    COLLATION = "collation"
    PUBLICATION = "publication"
    STATISTICS = "statistics"  # extended statistics (CREATE STATISTICS)
    EVENT_TRIGGER = "event_trigger"
    GRANT = "grant"  # kept only when the project asks for grants
    OWNER = "owner"  # kept only when the project asks for owners
    OTHER = "other"

    @property
    def folder(self) -> str:
        return FOLDERS[self]


FOLDERS: dict[Kind, str] = {
    Kind.SCHEMA: "schemas",
    Kind.EXTENSION: "extensions",
    Kind.TYPE: "types",
    Kind.DOMAIN: "domains",
    Kind.SEQUENCE: "sequences",
    Kind.TABLE: "tables",
    Kind.VIEW: "views",
    Kind.MATERIALIZED_VIEW: "materialized_views",
    Kind.FUNCTION: "functions",
    Kind.PROCEDURE: "procedures",
    Kind.AGGREGATE: "aggregates",
    Kind.TRIGGER: "triggers",
    Kind.POLICY: "policies",
    Kind.INDEX: "indexes",
    Kind.RULE: "rules",
    Kind.OPERATOR: "operators",
    Kind.COLLATION: "collations",
    Kind.PUBLICATION: "publications",
    Kind.STATISTICS: "statistics",
    Kind.EVENT_TRIGGER: "event_triggers",
    Kind.GRANT: "grants",
    Kind.OWNER: "owners",
    Kind.OTHER: "other",
}

# The order in which kinds are created in a replayable schema.sql (within a kind: dependency order).
CREATION_ORDER: tuple[Kind, ...] = (
    Kind.SCHEMA,
    Kind.EXTENSION,
    Kind.COLLATION,
    Kind.TYPE,
    Kind.DOMAIN,
    Kind.FUNCTION,
    Kind.PROCEDURE,
    Kind.AGGREGATE,
    Kind.OPERATOR,
    Kind.SEQUENCE,
    Kind.TABLE,
    Kind.VIEW,
    Kind.MATERIALIZED_VIEW,
    Kind.INDEX,
    Kind.STATISTICS,
    Kind.RULE,
    Kind.TRIGGER,
    Kind.EVENT_TRIGGER,
    Kind.POLICY,
    Kind.PUBLICATION,
    Kind.OTHER,
    Kind.OWNER,
    Kind.GRANT,
)


class ConstraintKind(enum.StrEnum):
    PRIMARY_KEY = "primary_key"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign_key"
    CHECK = "check"
    EXCLUDE = "exclude"


class Column(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A table column. `type`, `default` and `generated` are canonical SQL text."""

    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: str | None = None  # "ALWAYS" or "BY DEFAULT", then any sequence options
    generated: str | None = None  # the expression of GENERATED ALWAYS AS (...) STORED (or VIRTUAL)
    virtual: bool = False  # a generated column computed on read (PostgreSQL 18's default), not stored
    collation: str | None = None
    comment: str | None = None


class Constraint(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A table constraint; `definition` is the canonical text after `CONSTRAINT <name>`."""

    name: str
    kind: ConstraintKind
    definition: str
    columns: tuple[str, ...] = ()
    references: str | None = None  # the referenced table of a foreign key
    comment: str | None = None
    # A partitioned table's key added by ALTER TABLE ONLY: the partitions with no index attached to it
    # (PostgreSQL's index on the parent is invalid until every one has; registry/normalize/partition_keys.py).
    unattached: tuple[str, ...] = ()


class Index(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An index on a table; `definition` is the canonical text after `ON <table>`."""

    name: str
    definition: str
    unique: bool = False
    columns: tuple[str, ...] = ()  # plain column keys, for severity and rename detection
    comment: str | None = None


class Table(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A table with everything that lives inside it. Columns keep their order; the rest is sorted."""

    schema: str
    name: str
    columns: list[Column] = msgspec.field(default_factory=list)
    constraints: list[Constraint] = msgspec.field(default_factory=list)
    indexes: list[Index] = msgspec.field(default_factory=list)
    comment: str | None = None
    options: str | None = None  # canonical table options: UNLOGGED, INHERITS, WITH (...), engine
    partition_by: str | None = None
    partition_of: str | None = None  # parent table of a partition
    partition_bound: str | None = None  # FOR VALUES ... / DEFAULT
    alterations: list[str] = msgspec.field(default_factory=list)  # other ALTER TABLE actions, canonical text

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


class Sequence(msgspec.Struct, kw_only=True, omit_defaults=True):
    schema: str
    name: str
    options: str = ""  # canonical options: AS type, INCREMENT, MINVALUE, MAXVALUE, START, CACHE, CYCLE
    owned_by: str | None = None  # "schema.table.column"
    comment: str | None = None
    unlogged: bool = False  # CREATE UNLOGGED SEQUENCE; a serial of an unlogged table is one (PostgreSQL 15)


class Definition(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Any other object (view, function, type, trigger, policy, ...): its canonical DDL text.

    `opaque` is set when the parser did not understand the statement, which is then kept verbatim
    (whitespace-normalised) rather than dropped.
    """

    kind: Kind
    schema: str
    name: str  # for a function: name(argtypes); for a trigger or policy: table.name
    sql: str
    opaque: bool = False
    comment: str | None = None
    depends_on: tuple[str, ...] = ()  # qualified names this object reads, for creation order
    # A trigger's or a rule's firing state other than the default (`DISABLE`, `ENABLE REPLICA`, `ENABLE
    # ALWAYS`): PostgreSQL keeps it on the trigger (tgenabled) or rule (ev_enabled), and pg_dump writes it
    # as an ALTER TABLE after the CREATE, so it goes and is renamed with the object, not with its table.
    firing: str | None = None


SchemaObject = Table | Sequence | Definition


def kind_of(obj: SchemaObject) -> Kind:
    if isinstance(obj, Table):
        return Kind.TABLE
    if isinstance(obj, Sequence):
        return Kind.SEQUENCE
    return obj.kind


def qualified(schema: str, name: str) -> str:
    """The key of a name in a schema (names.join_key: a part with a dot in it is quoted)."""
    return join_key(schema, name)


# Kinds whose name ends with a signature (`f(integer)`), and kinds whose name is `table.member`, already
# spelt as a key; an OTHER's (or a grant's, an owner's) name is its own text.
_SIGNED = frozenset({Kind.FUNCTION, Kind.PROCEDURE, Kind.AGGREGATE, Kind.OPERATOR})
_MEMBERS = frozenset({Kind.TRIGGER, Kind.POLICY, Kind.RULE})
_OWN_TEXT = frozenset({Kind.OTHER, Kind.GRANT, Kind.OWNER})


def object_key_name(kind: Kind, schema: str, name: str) -> str:
    """The qualified name an object of `kind` is keyed by."""
    if kind in _SIGNED:
        base, signature = split_signature(name)
        return join_key(schema, base) + signature
    if kind in _MEMBERS or kind in _OWN_TEXT:
        return f"{key_part(schema)}.{name}" if schema else name
    return join_key(schema, name)


class ObjectKey(msgspec.Struct, frozen=True, order=True, array_like=True):
    """The identity of an object in a schema: its kind and its schema-qualified name."""

    kind: Kind
    name: str  # schema-qualified

    @property
    def filename(self) -> str:
        return f"objects/{self.kind.folder}/{escape_filename(self.name)}.sql"


def key_of(obj: SchemaObject) -> ObjectKey:
    kind = kind_of(obj)
    return ObjectKey(kind, object_key_name(kind, obj.schema, obj.name))


class CanonicalObject(msgspec.Struct, frozen=True, kw_only=True):
    """One object as scripts see it: kind, qualified name and canonical DDL (DESIGN.md `objects[]`)."""

    kind: Kind
    name: str
    sql: str
    opaque: bool = False


class Stats(msgspec.Struct, kw_only=True):
    statements: int = 0
    objects: int = 0
    opaque: int = 0
    errors: int = 0
    ignored: int = 0  # statements left out on purpose: SET, OWNER TO, GRANT, psql meta-commands
    cached: int = 0


class Issue(msgspec.Struct, frozen=True, kw_only=True):
    """Something the normaliser noticed about one statement: a parse error kept as opaque, an unknown target."""

    line: int
    column: int
    message: str
    statement: str
    outcome: str = "kept as opaque"  # what became of the statement ("ignored": a DO block not applied)


def _no_renderer(obj: SchemaObject, dialect: str) -> str:
    raise RuntimeError("no renderer registered: import schemareg.render")  # the package does at import


# Rendering a model object to canonical DDL: `schemareg.render` registers itself here when imported.
_RENDERER: list[Callable[[SchemaObject, str], str]] = [_no_renderer]


def use_renderer(render: Callable[[SchemaObject, str], str]) -> None:
    """Register the function that renders one object to canonical DDL (schemareg.render does)."""
    _RENDERER[0] = render


class Schema(msgspec.Struct, kw_only=True, weakref=True):
    """A whole normalised schema: the objects by key, in the dialect they were written for (weakly
    referable: the normaliser notes which cached script a schema came from without keeping it alive)."""

    dialect: str
    objects: dict[ObjectKey, SchemaObject] = msgspec.field(default_factory=dict)
    stats: Stats = msgspec.field(default_factory=Stats)
    issues: list[Issue] = msgspec.field(default_factory=list)
    _rendered: dict[ObjectKey, str] | None = None

    def rendered(self) -> dict[ObjectKey, str]:
        """Canonical DDL per object, sorted by key (computed once, by the renderer `schemareg.render`
        registers: the model does not import its renderer)."""
        if self._rendered is None:
            render = _RENDERER[0]
            self._rendered = {key: render(self.objects[key], self.dialect) for key in sorted(self.objects)}
        return self._rendered

    def use_rendering(self, rendered: dict[ObjectKey, str]) -> None:
        """Take `rendered` as the canonical text per object (sorted by key, as `rendered` gives it): the
        cache's, which has it already."""
        self._rendered = rendered

    def cached_rendering(self) -> dict[ObjectKey, str] | None:
        """The canonical text per object if it was already computed, else None (never renders)."""
        return self._rendered

    def canonical_objects(self) -> list[CanonicalObject]:
        return [
            CanonicalObject(
                kind=key.kind,
                name=key.name,
                sql=sql,
                opaque=isinstance(self.objects[key], Definition) and self.objects[key].opaque,  # type: ignore[union-attr]
            )
            for key, sql in self.rendered().items()
        ]

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.rendered())

    def tables(self) -> list[Table]:
        return [obj for obj in self.objects.values() if isinstance(obj, Table)]


def fingerprint_of(rendered: dict[ObjectKey, str]) -> str:
    """sha256 over the sorted canonical objects: the same schema gives the same id wherever it came from."""
    digest = hashlib.sha256()
    for key in sorted(rendered):
        digest.update(f"{key.kind.value}\0{key.name}\0".encode())
        digest.update(rendered[key].encode())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()
