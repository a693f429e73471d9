-- Rewrite rules other than the ones that make a view a view.
SELECT r.oid, r.ev_class AS relation, quote_ident(r.rulename) AS name,
       pg_catalog.pg_get_ruledef(r.oid) AS definition,
       r.ev_enabled AS enabled
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
WHERE r.rulename <> '_RETURN'
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
ORDER BY r.ev_class, r.rulename
