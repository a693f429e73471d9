-- The server: its version as info.json shows it, and its version number for feature checks.
SELECT 'PostgreSQL ' || split_part(current_setting('server_version'), ' ', 1) AS database_version,
       current_setting('server_version_num')::int AS version_num,
       current_database() AS database
