-- User schemas: not the system ones, not those an extension created. `public` is listed (its objects are
-- read) but not created: initdb makes it, and pg_dump does not dump it either.
SELECT n.oid, n.nspname AS name, quote_ident(n.nspname) AS qname
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('information_schema')
  AND n.nspname !~ '^pg_'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname
