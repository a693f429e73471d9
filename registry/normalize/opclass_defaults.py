"""Each index method's default operator class by type, which PostgreSQL omits from an index key;
generated from PostgreSQL 18.6 by scripts/opclass_defaults.py (do not edit by hand).

CORE: method -> type (as format_type spells it) -> operator class. POLYMORPHIC: method -> anyarray,
anyenum, anyrange, anymultirange or record -> the class every such type takes where CORE names none.
EXTENSIONS: extension -> method -> type -> operator class; a type the extension defines is named
bare, and lives in the extension's schema, as its classes do."""

from __future__ import annotations

CORE: dict[str, dict[str, str]] = {
    "brin": {
        '"char"': "char_minmax_ops",
        "bigint": "int8_minmax_ops",
        "bit": "bit_minmax_ops",
        "bit varying": "varbit_minmax_ops",
        "box": "box_inclusion_ops",
        "bytea": "bytea_minmax_ops",
        "character": "bpchar_minmax_ops",
        "character varying": "text_minmax_ops",
        "cidr": "inet_inclusion_ops",
        "date": "date_minmax_ops",
        "daterange": "range_inclusion_ops",
        "double precision": "float8_minmax_ops",
        "inet": "inet_inclusion_ops",
        "int4range": "range_inclusion_ops",
        "int8range": "range_inclusion_ops",
        "integer": "int4_minmax_ops",
        "interval": "interval_minmax_ops",
        "macaddr": "macaddr_minmax_ops",
        "macaddr8": "macaddr8_minmax_ops",
        "name": "name_minmax_ops",
        "numeric": "numeric_minmax_ops",
        "numrange": "range_inclusion_ops",
        "oid": "oid_minmax_ops",
        "pg_lsn": "pg_lsn_minmax_ops",
        "real": "float4_minmax_ops",
        "regclass": "oid_minmax_ops",
        "regcollation": "oid_minmax_ops",
        "regconfig": "oid_minmax_ops",
        "regdictionary": "oid_minmax_ops",
        "regnamespace": "oid_minmax_ops",
        "regoper": "oid_minmax_ops",
        "regoperator": "oid_minmax_ops",
        "regproc": "oid_minmax_ops",
        "regprocedure": "oid_minmax_ops",
        "regrole": "oid_minmax_ops",
        "regtype": "oid_minmax_ops",
        "smallint": "int2_minmax_ops",
        "text": "text_minmax_ops",
        "tid": "tid_minmax_ops",
        "time with time zone": "timetz_minmax_ops",
        "time without time zone": "time_minmax_ops",
        "timestamp with time zone": "timestamptz_minmax_ops",
        "timestamp without time zone": "timestamp_minmax_ops",
        "tsrange": "range_inclusion_ops",
        "tstzrange": "range_inclusion_ops",
        "uuid": "uuid_minmax_ops",
    },
    "btree": {
        '"char"': "char_ops",
        "bigint": "int8_ops",
        "bit": "bit_ops",
        "bit varying": "varbit_ops",
        "boolean": "bool_ops",
        "bytea": "bytea_ops",
        "character": "bpchar_ops",
        "character varying": "text_ops",
        "cidr": "inet_ops",
        "date": "date_ops",
        "datemultirange": "multirange_ops",
        "daterange": "range_ops",
        "double precision": "float8_ops",
        "inet": "inet_ops",
        "int4multirange": "multirange_ops",
        "int4range": "range_ops",
        "int8multirange": "multirange_ops",
        "int8range": "range_ops",
        "integer": "int4_ops",
        "interval": "interval_ops",
        "jsonb": "jsonb_ops",
        "macaddr": "macaddr_ops",
        "macaddr8": "macaddr8_ops",
        "money": "money_ops",
        "name": "name_ops",
        "numeric": "numeric_ops",
        "nummultirange": "multirange_ops",
        "numrange": "range_ops",
        "oid": "oid_ops",
        "oidvector": "oidvector_ops",
        "pg_lsn": "pg_lsn_ops",
        "real": "float4_ops",
        "regclass": "oid_ops",
        "regcollation": "oid_ops",
        "regconfig": "oid_ops",
        "regdictionary": "oid_ops",
        "regnamespace": "oid_ops",
        "regoper": "oid_ops",
        "regoperator": "oid_ops",
        "regproc": "oid_ops",
        "regprocedure": "oid_ops",
        "regrole": "oid_ops",
        "regtype": "oid_ops",
        "smallint": "int2_ops",
        "text": "text_ops",
        "tid": "tid_ops",
        "time with time zone": "timetz_ops",
        "time without time zone": "time_ops",
        "timestamp with time zone": "timestamptz_ops",
        "timestamp without time zone": "timestamp_ops",
        "tsmultirange": "multirange_ops",
        "tsquery": "tsquery_ops",
        "tsrange": "range_ops",
        "tstzmultirange": "multirange_ops",
        "tstzrange": "range_ops",
        "tsvector": "tsvector_ops",
        "uuid": "uuid_ops",
        "xid8": "xid8_ops",
    },
    "gin": {
        "jsonb": "jsonb_ops",
        "tsvector": "tsvector_ops",
    },
    "gist": {
        "box": "box_ops",
        "circle": "circle_ops",
        "datemultirange": "multirange_ops",
        "daterange": "range_ops",
        "int4multirange": "multirange_ops",
        "int4range": "range_ops",
        "int8multirange": "multirange_ops",
        "int8range": "range_ops",
        "nummultirange": "multirange_ops",
        "numrange": "range_ops",
        "point": "point_ops",
        "polygon": "poly_ops",
        "tsmultirange": "multirange_ops",
        "tsquery": "tsquery_ops",
        "tsrange": "range_ops",
        "tstzmultirange": "multirange_ops",
        "tstzrange": "range_ops",
        "tsvector": "tsvector_ops",
    },
    "hash": {
        '"char"': "char_ops",
        "aclitem": "aclitem_ops",
        "bigint": "int8_ops",
        "boolean": "bool_ops",
        "bytea": "bytea_ops",
        "character": "bpchar_ops",
        "character varying": "text_ops",
        "cid": "cid_ops",
        "cidr": "inet_ops",
        "date": "date_ops",
        "datemultirange": "multirange_ops",
        "daterange": "range_ops",
        "double precision": "float8_ops",
        "inet": "inet_ops",
        "int4multirange": "multirange_ops",
        "int4range": "range_ops",
        "int8multirange": "multirange_ops",
        "int8range": "range_ops",
        "integer": "int4_ops",
        "interval": "interval_ops",
        "jsonb": "jsonb_ops",
        "macaddr": "macaddr_ops",
        "macaddr8": "macaddr8_ops",
        "name": "name_ops",
        "numeric": "numeric_ops",
        "nummultirange": "multirange_ops",
        "numrange": "range_ops",
        "oid": "oid_ops",
        "oidvector": "oidvector_ops",
        "pg_lsn": "pg_lsn_ops",
        "real": "float4_ops",
        "regclass": "oid_ops",
        "regcollation": "oid_ops",
        "regconfig": "oid_ops",
        "regdictionary": "oid_ops",
        "regnamespace": "oid_ops",
        "regoper": "oid_ops",
        "regoperator": "oid_ops",
        "regproc": "oid_ops",
        "regprocedure": "oid_ops",
        "regrole": "oid_ops",
        "regtype": "oid_ops",
        "smallint": "int2_ops",
        "text": "text_ops",
        "tid": "tid_ops",
        "time with time zone": "timetz_ops",
        "time without time zone": "time_ops",
        "timestamp with time zone": "timestamptz_ops",
        "timestamp without time zone": "timestamp_ops",
        "tsmultirange": "multirange_ops",
        "tsrange": "range_ops",
        "tstzmultirange": "multirange_ops",
        "tstzrange": "range_ops",
        "uuid": "uuid_ops",
        "xid": "xid_ops",
        "xid8": "xid8_ops",
    },
    "spgist": {
        "box": "box_ops",
        "character varying": "text_ops",
        "cidr": "inet_ops",
        "daterange": "range_ops",
        "inet": "inet_ops",
        "int4range": "range_ops",
        "int8range": "range_ops",
        "numrange": "range_ops",
        "point": "quad_point_ops",
        "polygon": "poly_ops",
        "text": "text_ops",
        "tsrange": "range_ops",
        "tstzrange": "range_ops",
    },
}

POLYMORPHIC: dict[str, dict[str, str]] = {
    "brin": {
        "anyrange": "range_inclusion_ops",
    },
    "btree": {
        "anyarray": "array_ops",
        "anyenum": "enum_ops",
        "anymultirange": "multirange_ops",
        "anyrange": "range_ops",
        "record": "record_ops",
    },
    "gin": {
        "anyarray": "array_ops",
    },
    "gist": {
        "anymultirange": "multirange_ops",
        "anyrange": "range_ops",
    },
    "hash": {
        "anyarray": "array_ops",
        "anyenum": "enum_ops",
        "anymultirange": "multirange_ops",
        "anyrange": "range_ops",
        "record": "record_ops",
    },
    "spgist": {
        "anyrange": "range_ops",
    },
}

# typname -> format_type where they differ: the resolver's name of a type (typing.py) is its typname.
TYPE_NAMES: dict[str, str] = {
    "bool": "boolean",
    "bpchar": "character",
    "char": '"char"',
    "float4": "real",
    "float8": "double precision",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "time": "time without time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "timetz": "time with time zone",
    "varbit": "bit varying",
    "varchar": "character varying",
}

# Every operator class of pg_catalog, default or not, by name.
CATALOG_CLASSES = frozenset(
    """
    aclitem_ops array_ops bit_minmax_ops bit_ops bool_ops box_inclusion_ops box_ops bpchar_bloom_ops
    bpchar_minmax_ops bpchar_ops bpchar_pattern_ops bytea_bloom_ops bytea_minmax_ops bytea_ops char_bloom_ops
    char_minmax_ops char_ops cid_ops cidr_ops circle_ops date_bloom_ops date_minmax_multi_ops date_minmax_ops
    date_ops enum_ops float4_bloom_ops float4_minmax_multi_ops float4_minmax_ops float4_ops float8_bloom_ops
    float8_minmax_multi_ops float8_minmax_ops float8_ops inet_bloom_ops inet_inclusion_ops
    inet_minmax_multi_ops inet_minmax_ops inet_ops int2_bloom_ops int2_minmax_multi_ops int2_minmax_ops
    int2_ops int4_bloom_ops int4_minmax_multi_ops int4_minmax_ops int4_ops int8_bloom_ops
    int8_minmax_multi_ops int8_minmax_ops int8_ops interval_bloom_ops interval_minmax_multi_ops
    interval_minmax_ops interval_ops jsonb_ops jsonb_path_ops kd_point_ops macaddr8_bloom_ops
    macaddr8_minmax_multi_ops macaddr8_minmax_ops macaddr8_ops macaddr_bloom_ops macaddr_minmax_multi_ops
    macaddr_minmax_ops macaddr_ops money_ops multirange_ops name_bloom_ops name_minmax_ops name_ops
    numeric_bloom_ops numeric_minmax_multi_ops numeric_minmax_ops numeric_ops oid_bloom_ops
    oid_minmax_multi_ops oid_minmax_ops oid_ops oidvector_ops pg_lsn_bloom_ops pg_lsn_minmax_multi_ops
    pg_lsn_minmax_ops pg_lsn_ops point_ops poly_ops quad_point_ops range_inclusion_ops range_ops
    record_image_ops record_ops text_bloom_ops text_minmax_ops text_ops text_pattern_ops tid_bloom_ops
    tid_minmax_multi_ops tid_minmax_ops tid_ops time_bloom_ops time_minmax_multi_ops time_minmax_ops time_ops
    timestamp_bloom_ops timestamp_minmax_multi_ops timestamp_minmax_ops timestamp_ops timestamptz_bloom_ops
    timestamptz_minmax_multi_ops timestamptz_minmax_ops timestamptz_ops timetz_bloom_ops
    timetz_minmax_multi_ops timetz_minmax_ops timetz_ops tsquery_ops tsvector_ops uuid_bloom_ops
    uuid_minmax_multi_ops uuid_minmax_ops uuid_ops varbit_minmax_ops varbit_ops varchar_ops
    varchar_pattern_ops xid8_ops xid_ops
    """.split()  # noqa: SIM905 (names read better as words)
)

EXTENSIONS: dict[str, dict[str, dict[str, str]]] = {
    "bloom": {
        "bloom": {
            "character varying": "text_ops",
            "integer": "int4_ops",
            "text": "text_ops",
        },
    },
    "btree_gin": {
        "gin": {
            '"char"': "char_ops",
            "bigint": "int8_ops",
            "bit": "bit_ops",
            "bit varying": "varbit_ops",
            "boolean": "bool_ops",
            "bytea": "bytea_ops",
            "character": "bpchar_ops",
            "character varying": "varchar_ops",
            "cidr": "cidr_ops",
            "date": "date_ops",
            "double precision": "float8_ops",
            "inet": "inet_ops",
            "integer": "int4_ops",
            "interval": "interval_ops",
            "macaddr": "macaddr_ops",
            "macaddr8": "macaddr8_ops",
            "money": "money_ops",
            "name": "name_ops",
            "numeric": "numeric_ops",
            "oid": "oid_ops",
            "real": "float4_ops",
            "regclass": "oid_ops",
            "regcollation": "oid_ops",
            "regconfig": "oid_ops",
            "regdictionary": "oid_ops",
            "regnamespace": "oid_ops",
            "regoper": "oid_ops",
            "regoperator": "oid_ops",
            "regproc": "oid_ops",
            "regprocedure": "oid_ops",
            "regrole": "oid_ops",
            "regtype": "oid_ops",
            "smallint": "int2_ops",
            "text": "text_ops",
            "time with time zone": "timetz_ops",
            "time without time zone": "time_ops",
            "timestamp with time zone": "timestamptz_ops",
            "timestamp without time zone": "timestamp_ops",
            "uuid": "uuid_ops",
        },
    },
    "btree_gist": {
        "gist": {
            "bigint": "gist_int8_ops",
            "bit": "gist_bit_ops",
            "bit varying": "gist_vbit_ops",
            "boolean": "gist_bool_ops",
            "bytea": "gist_bytea_ops",
            "character": "gist_bpchar_ops",
            "character varying": "gist_text_ops",
            "cidr": "gist_cidr_ops",
            "date": "gist_date_ops",
            "double precision": "gist_float8_ops",
            "inet": "gist_inet_ops",
            "integer": "gist_int4_ops",
            "interval": "gist_interval_ops",
            "macaddr": "gist_macaddr_ops",
            "macaddr8": "gist_macaddr8_ops",
            "money": "gist_cash_ops",
            "numeric": "gist_numeric_ops",
            "oid": "gist_oid_ops",
            "real": "gist_float4_ops",
            "regclass": "gist_oid_ops",
            "regcollation": "gist_oid_ops",
            "regconfig": "gist_oid_ops",
            "regdictionary": "gist_oid_ops",
            "regnamespace": "gist_oid_ops",
            "regoper": "gist_oid_ops",
            "regoperator": "gist_oid_ops",
            "regproc": "gist_oid_ops",
            "regprocedure": "gist_oid_ops",
            "regrole": "gist_oid_ops",
            "regtype": "gist_oid_ops",
            "smallint": "gist_int2_ops",
            "text": "gist_text_ops",
            "time with time zone": "gist_timetz_ops",
            "time without time zone": "gist_time_ops",
            "timestamp with time zone": "gist_timestamptz_ops",
            "timestamp without time zone": "gist_timestamp_ops",
            "uuid": "gist_uuid_ops",
        },
    },
    "citext": {
        "brin": {
            "citext": "text_minmax_ops",
        },
        "btree": {
            "citext": "citext_ops",
        },
        "hash": {
            "citext": "citext_ops",
        },
        "spgist": {
            "citext": "text_ops",
        },
    },
    "cube": {
        "btree": {
            "cube": "cube_ops",
        },
        "gist": {
            "cube": "gist_cube_ops",
        },
    },
    "hstore": {
        "btree": {
            "hstore": "btree_hstore_ops",
        },
        "gin": {
            "hstore": "gin_hstore_ops",
        },
        "gist": {
            "hstore": "gist_hstore_ops",
        },
        "hash": {
            "hstore": "hash_hstore_ops",
        },
    },
    "intarray": {
        "gist": {
            "integer[]": "gist__int_ops",
        },
    },
    "isn": {
        "btree": {
            "ean13": "ean13_ops",
            "isbn": "isbn_ops",
            "isbn13": "isbn13_ops",
            "ismn": "ismn_ops",
            "ismn13": "ismn13_ops",
            "issn": "issn_ops",
            "issn13": "issn13_ops",
            "upc": "upc_ops",
        },
        "hash": {
            "ean13": "ean13_ops",
            "isbn": "isbn_ops",
            "isbn13": "isbn13_ops",
            "ismn": "ismn_ops",
            "ismn13": "ismn13_ops",
            "issn": "issn_ops",
            "issn13": "issn13_ops",
            "upc": "upc_ops",
        },
    },
    "ltree": {
        "btree": {
            "ltree": "ltree_ops",
        },
        "gist": {
            "ltree": "gist_ltree_ops",
            "ltree[]": "gist__ltree_ops",
        },
        "hash": {
            "ltree": "hash_ltree_ops",
        },
    },
    "seg": {
        "btree": {
            "seg": "seg_ops",
        },
        "gist": {
            "seg": "gist_seg_ops",
        },
    },
    "vector": {
        "btree": {
            "halfvec": "halfvec_ops",
            "sparsevec": "sparsevec_ops",
            "vector": "vector_ops",
        },
        "ivfflat": {
            "vector": "vector_l2_ops",
        },
    },
}

# Every operator class each extension makes (in its schema), default or not.
EXTENSION_CLASSES: dict[str, frozenset[str]] = {
    "bloom": frozenset(
        """
        int4_ops text_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "btree_gin": frozenset(
        """
        bit_ops bool_ops bpchar_ops bytea_ops char_ops cidr_ops date_ops enum_ops float4_ops float8_ops
        inet_ops int2_ops int4_ops int8_ops interval_ops macaddr8_ops macaddr_ops money_ops name_ops
        numeric_ops oid_ops text_ops time_ops timestamp_ops timestamptz_ops timetz_ops uuid_ops varbit_ops
        varchar_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "btree_gist": frozenset(
        """
        gist_bit_ops gist_bool_ops gist_bpchar_ops gist_bytea_ops gist_cash_ops gist_cidr_ops gist_date_ops
        gist_enum_ops gist_float4_ops gist_float8_ops gist_inet_ops gist_int2_ops gist_int4_ops gist_int8_ops
        gist_interval_ops gist_macaddr8_ops gist_macaddr_ops gist_numeric_ops gist_oid_ops gist_text_ops
        gist_time_ops gist_timestamp_ops gist_timestamptz_ops gist_timetz_ops gist_uuid_ops gist_vbit_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "citext": frozenset(
        """
        citext_ops citext_pattern_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "cube": frozenset(
        """
        cube_ops gist_cube_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "hstore": frozenset(
        """
        btree_hstore_ops gin_hstore_ops gist_hstore_ops hash_hstore_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "intarray": frozenset(
        """
        gin__int_ops gist__int_ops gist__intbig_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "isn": frozenset(
        """
        ean13_ops isbn13_ops isbn_ops ismn13_ops ismn_ops issn13_ops issn_ops upc_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "ltree": frozenset(
        """
        gist__ltree_ops gist_ltree_ops hash_ltree_ops ltree_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "pg_trgm": frozenset(
        """
        gin_trgm_ops gist_trgm_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "seg": frozenset(
        """
        gist_seg_ops seg_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
    "vector": frozenset(
        """
        bit_hamming_ops bit_jaccard_ops halfvec_cosine_ops halfvec_ip_ops halfvec_l1_ops halfvec_l2_ops
        halfvec_ops sparsevec_cosine_ops sparsevec_ip_ops sparsevec_l1_ops sparsevec_l2_ops sparsevec_ops
        vector_cosine_ops vector_ip_ops vector_l1_ops vector_l2_ops vector_ops
        """.split()  # noqa: SIM905 (names read better as words)
    ),
}
