-- Enums, composite types, ranges and domains, each with what its CREATE statement needs. Array types,
-- table row types, multirange types (made by their range) and extension members are left out.
SELECT t.oid,
       t.typtype AS type_kind,
       quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS qname,
       CASE t.typtype WHEN 'e' THEN ARRAY(
           SELECT quote_literal(e.enumlabel) FROM pg_catalog.pg_enum e
           WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
       END AS labels,
       CASE t.typtype WHEN 'c' THEN ARRAY(
           SELECT quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                  || CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0 THEN
                         ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END
           FROM pg_catalog.pg_attribute a
           JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
           LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
           LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
           WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
       END AS attributes,
       pg_catalog.format_type(r.rngsubtype, NULL) AS range_subtype,
       (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname)
          FROM pg_catalog.pg_type mt JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
         WHERE mt.oid = r.rngmultitypid) AS range_multirange,
       CASE WHEN r.rngsubopc IS NOT NULL AND NOT opc.opcdefault THEN
           quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END AS range_opclass,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN
           quote_ident(rcn.nspname) || '.' || quote_ident(rco.collname) END AS range_collation,
       NULLIF(r.rngcanonical, 0)::regproc::text AS range_canonical,
       NULLIF(r.rngsubdiff, 0)::regproc::text AS range_subdiff,
       CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS domain_base,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN
           quote_ident(dcn.nspname) || '.' || quote_ident(dco.collname) END AS domain_collation,
       t.typdefault AS domain_default,
       t.typnotnull AS domain_not_null,
       CASE t.typtype WHEN 'd' THEN ARRAY(
           SELECT 'CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_catalog.pg_get_constraintdef(c.oid)
           FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid ORDER BY c.conname)
       END AS domain_constraints
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc
LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
LEFT JOIN pg_catalog.pg_collation rco ON rco.oid = r.rngcollation
LEFT JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rco.collnamespace
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation dco ON dco.oid = t.typcollation
LEFT JOIN pg_catalog.pg_namespace dcn ON dcn.oid = dco.collnamespace
WHERE t.typnamespace = ANY(%(namespaces)s::oid[])
  AND (t.typtype IN ('e', 'r', 'd')
       OR (t.typtype = 'c' AND (SELECT k.relkind FROM pg_catalog.pg_class k WHERE k.oid = t.typrelid) = 'c'))
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
  )
ORDER BY n.nspname, t.typname
