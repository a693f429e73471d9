-- What decides every other query's answer, read first in the inspection's transaction (its cache key,
-- registry/introspect/pg_state.py). The snapshot says which transactions' work the catalog reads see: any
-- catalog change is a transaction, so two reads under the same snapshot of the same database see the same
-- catalog. The server's start time and identifier tell one server (and one run of it: a restore or a
-- promoted standby reuses transaction ids) from another; the version and every setting the session runs
-- with decide how the server prints types, defaults and definitions.
SELECT pg_catalog.pg_current_snapshot()::text AS snapshot,
       d.oid AS database_oid,
       pg_catalog.current_database() AS database,
       pg_catalog.pg_postmaster_start_time()::text AS started,
       CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')
            THEN (pg_catalog.pg_control_system()).system_identifier::text END AS system_identifier,
       pg_catalog.version() AS version,
       current_user AS role,
       session_user AS session_role,
       (SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
                   pg_catalog.string_agg(s.name || '=' || s.setting, E'\n' ORDER BY s.name), 'UTF8')), 'hex')
          FROM pg_catalog.pg_settings s) AS settings
FROM pg_catalog.pg_database d
WHERE d.datname = pg_catalog.current_database()
