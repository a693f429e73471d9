-- User operators with the parts of their CREATE OPERATOR (extension members left out).
SELECT o.oid,
       quote_ident(n.nspname) || '.' || o.oprname AS qname,
       o.oprcode::regproc::text AS function,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left_type,
       CASE WHEN o.oprright <> 0 THEN pg_catalog.format_type(o.oprright, NULL) END AS right_type,
       CASE WHEN o.oprcom <> 0 THEN (SELECT quote_ident(cn.nspname) || '.' || c.oprname
           FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
           WHERE c.oid = o.oprcom) END AS commutator,
       CASE WHEN o.oprnegate <> 0 THEN (SELECT quote_ident(cn.nspname) || '.' || c.oprname
           FROM pg_catalog.pg_operator c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace
           WHERE c.oid = o.oprnegate) END AS negator,
       NULLIF(o.oprrest, 0)::regproc::text AS restrict_function,
       NULLIF(o.oprjoin, 0)::regproc::text AS join_function,
       o.oprcanhash AS hashes,
       o.oprcanmerge AS merges
FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, o.oprname, left_type, right_type
