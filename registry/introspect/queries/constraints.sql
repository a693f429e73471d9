-- Table constraints as pg_get_constraintdef writes them. Left out, as pg_dump does: CHECK constraints a
-- child inherits, and the clones of a partitioned table's foreign keys on its partitions. A partition's
-- CHECK that is its parent's too is the parent's, also when the partition had it before it was attached
-- (as a partition must, and as the canonical schema.sql writes it). A foreign key's referenced table is
-- named as pg_get_constraintdef names it (the inspector's probes stand another name in for it). A key's
-- index storage parameters, which pg_get_constraintdef leaves out, are read beside it, as pg_dump reads them.
SELECT con.oid,
       con.conrelid AS relation,
       quote_ident(con.conname) AS name,
       con.contype AS constraint_kind,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition,
       CASE WHEN con.contype = 'f' THEN quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) END
           AS referenced,
       CASE WHEN con.contype IN ('p', 'u') THEN
           (SELECT ic.reloptions FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid) END AS index_options
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND NOT (con.contype = 'c' AND (NOT con.conislocal OR (c.relispartition AND con.coninhcount > 0)))
  AND NOT (con.contype = 'f' AND con.conparentid <> 0)
ORDER BY con.conrelid, con.contype = 'f', con.conname
