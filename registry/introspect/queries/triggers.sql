-- User triggers as pg_get_triggerdef writes them; not the internal ones (foreign keys), not the clones a
-- partitioned table's trigger makes on its partitions.
SELECT t.oid,
       t.tgrelid AS relation,
       quote_ident(t.tgname) AS name,
       pg_catalog.pg_get_triggerdef(t.oid, false) AS definition,
       t.tgenabled AS enabled
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
ORDER BY t.tgrelid, t.tgname
