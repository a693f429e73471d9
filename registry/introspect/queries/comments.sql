-- Every comment, by the catalog and object it is on (the inspector knows each object from the other
-- queries, so a comment on something left out is left out too). The comments initdb put on the system's
-- own objects (some 3,500 on functions, types and catalogs) are not sent: a user object's oid is at least
-- FirstNormalObjectId (16384), except the schema public (2200), which can be renamed and commented.
SELECT d.classoid::regclass::text AS catalog, d.objoid AS oid, d.objsubid AS column_number,
       d.description AS comment,
       CASE WHEN d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0 THEN (
           SELECT quote_ident(a.attname) FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = d.objoid AND a.attnum = d.objsubid) END AS column_name
FROM pg_catalog.pg_description d
WHERE d.classoid IN (
    'pg_catalog.pg_class'::regclass, 'pg_catalog.pg_constraint'::regclass, 'pg_catalog.pg_proc'::regclass,
    'pg_catalog.pg_type'::regclass, 'pg_catalog.pg_namespace'::regclass, 'pg_catalog.pg_trigger'::regclass,
    'pg_catalog.pg_policy'::regclass, 'pg_catalog.pg_rewrite'::regclass, 'pg_catalog.pg_collation'::regclass,
    'pg_catalog.pg_event_trigger'::regclass, 'pg_catalog.pg_extension'::regclass,
    'pg_catalog.pg_statistic_ext'::regclass
)
  AND (d.objoid >= 16384 OR (d.classoid = 'pg_catalog.pg_namespace'::regclass AND d.objoid = 2200))
  -- An extension's comment counts when it is not the one CREATE EXTENSION gave it (its control file's).
  AND NOT (d.classoid = 'pg_catalog.pg_extension'::regclass AND d.description IS NOT DISTINCT FROM (
      SELECT a.comment FROM pg_catalog.pg_available_extensions a
      JOIN pg_catalog.pg_extension e ON e.extname = a.name WHERE e.oid = d.objoid))
ORDER BY d.classoid, d.objoid, d.objsubid
