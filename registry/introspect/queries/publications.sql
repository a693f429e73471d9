-- Publications and the tables each one publishes.
SELECT p.oid, quote_ident(p.pubname) AS name, p.puballtables AS all_tables,
       p.pubinsert AS publish_insert, p.pubupdate AS publish_update, p.pubdelete AS publish_delete,
       p.pubtruncate AS publish_truncate, p.pubviaroot AS via_root,
       ARRAY(
           SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
           FROM pg_catalog.pg_publication_rel pr
           JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE pr.prpubid = p.oid ORDER BY n.nspname, c.relname
       ) AS tables
FROM pg_catalog.pg_publication p
ORDER BY p.pubname
