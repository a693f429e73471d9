-- Functions and procedures (every overload) as pg_get_functiondef writes them; aggregates with the parts
-- of their CREATE AGGREGATE. Extension members, and the constructors a range type makes (an internal
-- dependency), are left out.
SELECT p.oid,
       p.prokind AS routine_kind,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS qname,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
       NULLIF(a.aggtransfn, 0)::regproc::text AS sfunc,
       pg_catalog.format_type(a.aggtranstype, NULL) AS stype,
       a.aggtransspace AS sspace,
       NULLIF(a.aggfinalfn, 0)::regproc::text AS finalfunc,
       a.aggfinalextra AS finalfunc_extra,
       NULLIF(a.aggcombinefn, 0)::regproc::text AS combinefunc,
       NULLIF(a.aggserialfn, 0)::regproc::text AS serialfunc,
       NULLIF(a.aggdeserialfn, 0)::regproc::text AS deserialfunc,
       a.agginitval AS initcond,
       NULLIF(a.aggsortop, 0)::regoperator::text AS sortop,
       a.aggkind AS aggregate_kind,
       p.proparallel AS parallel
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
WHERE p.pronamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i')
  )
ORDER BY n.nspname, p.proname, identity_arguments
