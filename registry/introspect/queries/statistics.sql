-- Extended statistics objects (CREATE STATISTICS) as pg_get_statisticsobjdef writes them, with the target
-- ALTER STATISTICS ... SET STATISTICS gave them (stxstattarget: -1 unset before PostgreSQL 17, null from 17).
SELECT s.oid,
       s.stxrelid AS relation,
       quote_ident(n.nspname) || '.' || quote_ident(s.stxname) AS qname,
       pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition,
       s.stxstattarget::int AS target
FROM pg_catalog.pg_statistic_ext s
JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
WHERE s.stxnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_statistic_ext'::regclass AND d.objid = s.oid AND d.deptype = 'e')
ORDER BY n.nspname, s.stxname
