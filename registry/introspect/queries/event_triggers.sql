-- Event triggers (database-wide), except extension members.
SELECT e.oid, quote_ident(e.evtname) AS name, e.evtevent AS event, e.evtfoid::regproc::text AS function,
       e.evttags AS tags, e.evtenabled AS enabled
FROM pg_catalog.pg_event_trigger e
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e'
)
ORDER BY e.evtname
