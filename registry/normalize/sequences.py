"""Sequence options in one canonical order with their defaults left out, for sequences and identities."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from schemareg.names import make_object_name

if TYPE_CHECKING:
    from schemareg.normalize.compile import Compiler

_WS = re.compile(r"\s+")
_SEQ_DEFAULTS = {"START": "1", "INCREMENT": "1", "CACHE": "1"}


def sequence_options(
    text: str, *, identity: bool = False, table: str = "", column: str = "", compiler: Compiler | None = None
) -> str:
    """Sequence options in a fixed order, defaults left out (AS bigint, START 1, INCREMENT 1, CACHE 1, ...)."""
    words = _WS.sub(" ", text.strip()).upper()
    found: dict[str, str] = {}
    m = re.search(r"\bSEQUENCE NAME (\S+)", words)
    if m and compiler is not None:
        seq_schema, seq_name = compiler.parse_qname(m.group(1).lower())
        default_name = make_object_name(table.rpartition(".")[2], column, "seq")
        if seq_name != default_name:
            found["SEQUENCE NAME"] = compiler.qq(compiler.qualify(seq_schema, seq_name))
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
    type_max = {"INT": "2147483647", "SMALLINT": "32767", None: "9223372036854775807"}.get(found.get("AS"))
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
