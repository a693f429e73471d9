-- The columns of every user table, in order, with type, default or generation expression, identity,
-- collation (when it is not the type's), and the storage settings and attribute options pg_dump also writes.
SELECT a.attrelid AS relation,
       a.attnum AS position,
       quote_ident(a.attname) AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull AS not_null,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expression,
       a.attidentity AS identity,
       a.attgenerated AS generated,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN
           quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
       a.attislocal AS is_local,
       a.attstattarget AS statistics,
       -- the attribute options PostgreSQL has (a server may keep others of its own there)
       ARRAY(SELECT o FROM unnest(a.attoptions) o WHERE o ~ '^n_distinct(_inherited)?=') AS options,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END AS storage
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
