-- Table constraints as pg_get_constraintdef writes them. Left out, as pg_dump does: CHECK constraints a
-- child inherits, and the clones of a partitioned table's foreign keys on its partitions. A partition's
-- CHECK that is its parent's too is the parent's, also when the partition had it before it was attached
-- (as a partition must, and as the canonical schema.sql writes it).
SELECT con.oid,
       con.conrelid AS relation,
       quote_ident(con.conname) AS name,
       con.contype AS constraint_kind,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND NOT (con.contype = 'c' AND (NOT con.conislocal OR (c.relispartition AND con.coninhcount > 0)))
  AND NOT (con.contype = 'f' AND con.conparentid <> 0)
ORDER BY con.conrelid, con.contype = 'f', con.conname
