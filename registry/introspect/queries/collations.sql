-- User collations. to_jsonb keeps this one query working across the versions that renamed the locale
-- columns (colliculocale in 15 and 16, colllocale from 17).
SELECT co.oid, quote_ident(n.nspname) || '.' || quote_ident(co.collname) AS qname, to_jsonb(co) AS fields
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
WHERE co.collnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = co.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, co.collname
