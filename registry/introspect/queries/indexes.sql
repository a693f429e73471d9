-- Indexes as pg_get_indexdef writes them, except those that a PRIMARY KEY, UNIQUE or EXCLUDE constraint
-- makes (the constraint says it); with the partitioned index each one is attached to, if any, and the
-- statistics targets set on its expression columns. The definition of a constraint's index is not asked for:
-- pg_get_indexdef is the costliest call here, and the constraint's own definition says it all.
SELECT i.indexrelid AS oid,
       i.indrelid AS relation,
       quote_ident(n.nspname) || '.' || quote_ident(ic.relname) AS qname,
       quote_ident(ic.relname) AS name,
       CASE WHEN NOT owned.for_constraint THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS definition,
       i.indisclustered AS clustered,
       ARRAY(
           SELECT a.attnum || ' ' || a.attstattarget FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0 ORDER BY a.attnum
       ) AS statistics,
       owned.for_constraint,
       (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
          FROM pg_catalog.pg_inherits inh
          JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE inh.inhrelid = i.indexrelid) AS parent_index
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
CROSS JOIN LATERAL (SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_constraint con
    WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
) AS for_constraint) owned
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
ORDER BY n.nspname, ic.relname
