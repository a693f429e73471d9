-- Row-level security policies with their expressions.
SELECT pol.oid,
       pol.polrelid AS relation,
       quote_ident(pol.polname) AS name,
       pol.polpermissive AS permissive,
       pol.polcmd AS command,
       CASE WHEN pol.polroles = '{0}'::oid[] THEN NULL ELSE ARRAY(
           SELECT quote_ident(r.rolname) FROM pg_catalog.pg_roles r
           WHERE r.oid = ANY(pol.polroles) ORDER BY r.rolname) END AS roles,
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS using_expression,
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expression
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
WHERE c.relnamespace = ANY(%(namespaces)s::oid[])
ORDER BY pol.polrelid, pol.polname
