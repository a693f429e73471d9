"""Renderers of a diff: the markdown changelog (DESIGN.md template), a text summary, JSON and a unified diff."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import msgspec

from schemareg.diff import Change, Changed, ChangeType, Diff, Severity, Subject
from schemareg.model import ObjectKey, Schema

__all__ = ["decode_json", "render_json", "render_markdown", "render_text", "render_unified"]

_ENCODER = msgspec.json.Encoder()


def render_json(diff: Diff) -> bytes:
    return _ENCODER.encode(diff)


def decode_json(data: bytes | str) -> Diff:
    return msgspec.json.decode(data, type=Diff)


def _display(name: str) -> str:
    # Users write `negotiations`, not `public.negotiations`: the default schema goes without saying.
    return name.removeprefix("public.")


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ")


def _where(change: Change) -> str:
    """`table`, or `table`.`column` for something inside it."""
    if change.name is None:
        return f"`{_display(change.object)}`"
    return f"`{_display(change.object)}`.`{change.name}`"


# The attributes that are there or not: a change of one of them alone says which.
_PRESENCE = (Changed.DEFAULT, Changed.IDENTITY, Changed.GENERATED, Changed.COMMENT)


def _part(change: Change) -> str:
    """The phrase for one change inside a modified object: "added `voice_enabled` column"."""
    label = _kind_label(change.kind)
    if change.name is None:  # the object itself
        if change.change is ChangeType.POSSIBLE_RENAME:
            return f"possibly renamed to `{_display(change.after or '')}`"
        return "changed " + ", ".join(_kind_label(attribute) for attribute in change.what)
    if change.change is ChangeType.ADD:
        return f"added `{change.name}` {label}"
    if change.change is ChangeType.REMOVE:
        return f"removed `{change.name}` {label}"
    if change.change is ChangeType.MOVE:
        return f"moved `{change.name}` {label} (position {change.before} -> {change.after})"
    if change.change is ChangeType.POSSIBLE_RENAME:
        return f"possibly renamed `{change.name}` {label} to `{change.after}`"
    detail = ", ".join(change.what)
    if len(change.what) == 1 and change.before is not None and change.after is not None:
        detail += f": `{change.before}` -> `{change.after}`"
    elif change.changed in _PRESENCE:
        detail += ": " + ("added" if change.before is None else "removed")
    return f"changed `{change.name}` {label} ({detail})"


def _grouped(changes: Iterable[Change]) -> dict[str, list[Change]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(f"{change.object_kind}\0{change.object}", []).append(change)
    return grouped


def _sections(diff: Diff) -> tuple[list[str], list[str], list[str]]:
    added: list[str] = []
    modified: list[str] = []
    removed: list[str] = []
    for changes in _grouped(diff.changes).values():
        first = changes[0]
        subject = f"`{_display(first.object)}` {_kind_label(first.object_kind)}"
        whole = [change for change in changes if change.name is None]
        if len(changes) == 1 and first.name is None and first.change is ChangeType.ADD:
            added.append(f"- {subject}")
        elif len(changes) == 1 and first.name is None and first.change is ChangeType.REMOVE:
            removed.append(f"- {subject}")
        else:
            parts = [_part(change) for change in whole] + [_part(c) for c in changes if c.name is not None]
            modified.append(f"- {subject}: " + "; ".join(parts))
    return added, modified, removed


def render_markdown(diff: Diff, title: str) -> str:
    """The changelog in the shape the project's users write by hand (DESIGN.md)."""
    added, modified, removed = _sections(diff)
    lines = [f"# Schema Version {title}", "", "## Changes in This Version", ""]
    if diff.empty:
        lines += [f"No schema changes since {diff.from_}.", ""]
    for heading, items in (("Added", added), ("Modified", modified), ("Removed", removed)):
        if items:
            lines += [f"### {heading}", *items, ""]

    lines += ["## Breaking Changes", ""]
    breaking = diff.breaking()
    if breaking:
        lines += [
            f"- {_where(change)} {_kind_label(change.kind)}: {_summary(change)}. {_why(change)}{_rule(change)}"
            for change in breaking
        ]
    else:
        lines.append("None.")
    lines.append("")

    lines += ["## Migration Notes", "", *_migration_notes(diff), "", "## Rollback Procedure", ""]
    lines += _rollback(diff)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary(change: Change) -> str:
    verbs = {
        ChangeType.ADD: "added",
        ChangeType.REMOVE: "removed",
        ChangeType.MOVE: "moved",
        ChangeType.POSSIBLE_RENAME: f"possibly renamed to `{change.after}`",
    }
    if change.change is ChangeType.MODIFY:
        text = "changed " + ", ".join(change.what)
        if change.before is not None and change.after is not None and len(change.what) == 1:
            text += f" from `{change.before}` to `{change.after}`"
        return text
    return verbs[change.change]


def _rule(change: Change) -> str:
    """The rule a change falls under, for a reader who wants to look it up or allow it."""
    return f" (`{change.rule}` {change.title})" if change.rule else ""


def _why(change: Change) -> str:
    reason = change.reason.rstrip(".")
    return (reason[:1].upper() + reason[1:] + ".") if reason else ""


def _counts(diff: Diff) -> str:
    counts = {severity: 0 for severity in Severity}
    for change in diff.changes:
        counts[change.severity] += 1
    return ", ".join(f"{counts[severity]} {severity.value}" for severity in Severity)


# Advice for the changes that need a step before or after the schema change, keyed by (change, kind).
def _advice(change: Change) -> str | None:
    where = _where(change)
    if change.change is ChangeType.POSSIBLE_RENAME:
        return (
            f"{where}: if this is a rename, apply it as a rename (`ALTER ... RENAME`) so the data is kept; "
            f"as a drop and an add the data of `{change.before}` is lost. Update clients to `{change.after}`."
        )
    if change.change is ChangeType.REMOVE and change.severity is Severity.BREAKING:
        return f"{where}: deploy clients that no longer use it first, and keep a backup of its data."
    if (
        change.change is ChangeType.ADD
        and change.kind is Subject.COLUMN
        and change.severity is Severity.BREAKING
    ):
        return f"{where}: add it nullable or with a default, backfill existing rows, then set NOT NULL."
    if change.change in (ChangeType.ADD, ChangeType.MODIFY) and change.kind in (
        Subject.CONSTRAINT,
        Subject.INDEX,
    ):
        if change.severity is Severity.BREAKING:
            return f"{where}: look for rows that violate it (duplicates) before applying; the change fails on them."
        if change.severity is Severity.RISKY and change.kind is Subject.CONSTRAINT:
            return f"{where}: check existing rows first; in PostgreSQL add it `NOT VALID`, then `VALIDATE CONSTRAINT`."
        if change.kind is Subject.INDEX:
            return f"{where}: on a large table, build it `CONCURRENTLY` (PostgreSQL) to avoid a write lock."
    if change.change is ChangeType.MODIFY and change.kind is Subject.COLUMN:
        if Changed.TYPE in change.changed and change.severity is not Severity.SAFE:
            return f"{where}: check that every stored value converts to the new type; the table may be rewritten."
        if Changed.NULLABLE in change.changed and change.severity is not Severity.SAFE:
            return f"{where}: backfill NULL rows before setting NOT NULL."
        if change.severity is not Severity.SAFE:
            return f"{where}: {change.reason}."
    if change.severity is Severity.RISKY:
        return f"{where}: {change.reason}."
    return None


def _migration_notes(diff: Diff) -> list[str]:
    if diff.empty:
        return ["Nothing to migrate."]
    lines = [
        f"Suggested version bump: **{diff.semver.value}** ({len(diff.changes)} changes: {_counts(diff)}).",
        "",
    ]
    advice = [note + _rule(change) for change in diff.changes if (note := _advice(change))]
    lines += [f"- {note}" for note in advice] or ["- No step beyond applying the DDL is needed."]
    return lines


def _undo(change: Change) -> str:
    where = _where(change)
    label = _kind_label(change.kind)
    if change.change is ChangeType.ADD:
        return f"Drop the {label} {where}." + (
            " Its data since the release is lost unless exported first."
            if change.kind in (Subject.COLUMN, Subject.TABLE)
            else ""
        )
    if change.change is ChangeType.REMOVE:
        source = f"as `{change.before}`" if change.before else "from the previous version"
        text = f"Re-create the {label} {where} {source}"
        if change.kind in (Subject.COLUMN, Subject.TABLE):
            text += "; its rows come back only from a backup (`schemareg restore`)"
        return text + "."
    if change.change is ChangeType.POSSIBLE_RENAME:
        return f"Rename {where} back from `{change.after}` to `{change.before}`."
    if change.change is ChangeType.MOVE:
        return f"Nothing to do for the moved {label} {where} unless clients depend on column order."
    restore = ", ".join(change.what)
    if change.before is not None and len(change.what) == 1:
        return f"Set {restore} of the {label} {where} back to `{change.before}`."
    return f"Restore {restore} of the {label} {where} to the previous definition."


def _rollback(diff: Diff) -> list[str]:
    if diff.empty:
        return ["Nothing to roll back."]
    lines = [
        f"Undo in reverse order, or compare back to `{diff.from_}` and apply its DDL "
        f"(`schemareg diff` with the two versions swapped shows every step):",
        "",
    ]
    lines += [f"{number}. {_undo(change)}" for number, change in enumerate(reversed(diff.changes), start=1)]
    return lines


def render_text(diff: Diff) -> str:
    """A short summary for a terminal: one header line, then one line per change."""
    if diff.empty:
        return f"{diff.from_} -> {diff.to}: no differences\n"
    count = len(diff.changes)
    noun = "change" if count == 1 else "changes"
    lines = [
        f"{diff.from_} -> {diff.to}: {count} {noun} ({_counts(diff)}), suggested bump: {diff.semver.value}"
    ]
    for change in diff.changes:
        target = change.object if change.name is None else f"{change.object}.{change.name}"
        detail = f" [{', '.join(change.what)}]" if change.what else ""
        if change.change is ChangeType.POSSIBLE_RENAME:
            detail = f" -> {change.after}"
        lines.append(
            f"  {change.severity.value:<8}  {change.rule:<4}  {change.change.value:<15}  {change.kind:<10}  "
            f"{target}{detail}  ({change.title})"
        )
    return "\n".join(lines) + "\n"


def render_unified(before: Schema, after: Schema, *, keys: Iterable[ObjectKey] | None = None) -> str:
    """A unified diff of the canonical DDL, one file per changed object (git's a/ b/ names)."""
    old, new = before.rendered(), after.rendered()
    chosen = sorted(set(keys) if keys is not None else old.keys() | new.keys())
    chunks: list[str] = []
    for key in chosen:
        old_text, new_text = old.get(key), new.get(key)
        if old_text == new_text:
            continue
        chunks.extend(
            difflib.unified_diff(
                _lines(old_text),
                _lines(new_text),
                fromfile=f"a/{key.filename}" if old_text is not None else "/dev/null",
                tofile=f"b/{key.filename}" if new_text is not None else "/dev/null",
            )
        )
    return "".join(chunks)


def _lines(text: str | None) -> list[str]:
    if text is None:
        return []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines
