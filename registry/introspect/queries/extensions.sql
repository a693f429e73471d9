-- Extensions, except those initdb made (plpgsql): pg_dump leaves those out too.
SELECT e.oid, quote_ident(e.extname) AS qname, quote_ident(n.nspname) AS schema
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.oid >= 16384
ORDER BY e.extname
