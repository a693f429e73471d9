"""Migration bookkeeping of each tool, on its table as the tool itself creates it (the DDL below is what each
tool's source runs), with rows as the tool writes them: on a real PostgreSQL and, where the tool supports
it, on SQLite. Each case also holds a row the tool does not count (a down, a failure, its own metadata),
so a detector that counts every row fails."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from schemareg.introspect import inspect


@dataclass(frozen=True)
class Case:
    tool: str
    postgres: str
    sqlite: str | None
    count: int | None
    last: str


CASES = [
    Case(
        "liquibase",
        # Liquibase's CreateDatabaseChangeLogTableStatement; no primary key. On SQLite the names stay upper case.
        "CREATE TABLE public.databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,"
        " FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL,"
        " ORDEREXECUTED INT NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35),"
        " DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20),"
        " CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10));"
        "CREATE TABLE public.databasechangeloglock (ID INT NOT NULL, LOCKED BOOLEAN NOT NULL,"
        " LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255),"
        " CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID));"
        "INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE)"
        " VALUES ('1', 'ann', 'db/changelog.xml', '2024-01-01 10:00', 1, 'EXECUTED'),"
        " ('2', 'bob', 'db/changelog.xml', '2024-02-01 10:00', 2, 'MARK_RAN'),"
        " ('3', 'bob', 'db/changelog.xml', '2024-03-01 10:00', 3, 'FAILED');",
        "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,"
        " FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL, ORDEREXECUTED INTEGER NOT NULL,"
        " EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255),"
        " TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255),"
        " DEPLOYMENT_ID VARCHAR(10));"
        "INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE)"
        " VALUES ('1', 'ann', 'db/changelog.xml', '2024-01-01 10:00', 1, 'EXECUTED'),"
        " ('2', 'bob', 'db/changelog.xml', '2024-02-01 10:00', 2, 'MARK_RAN'),"
        " ('3', 'bob', 'db/changelog.xml', '2024-03-01 10:00', 3, 'FAILED');",
        2,
        "db/changelog.xml::2::bob",
    ),
    Case(
        "goose",
        # pressly/goose internal/dialect: the table, then version 0 at creation; an old-style down row.
        "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL,"
        " is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));"
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20240101120000, true),"
        " (20240201120000, true), (20240301120000, true), (20240301120000, false);",
        "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL,"
        " is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));"
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (20240101120000, 1),"
        " (20240201120000, 1), (20240301120000, 1), (20240301120000, 0);",
        2,
        "20240201120000",
    ),
    Case(
        "sqlx",
        # sqlx-postgres / sqlx-sqlite migrate.rs ensure_migrations_table; a failed (dirty) migration.
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,"
        " installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,"
        " checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);"
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES"
        " (20240101000000, 'init', TRUE, '\\x00', 1), (20240201000000, 'users', TRUE, '\\x01', 1),"
        " (20240301000000, 'orders', FALSE, '\\x02', -1);",
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,"
        " installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,"
        " checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);"
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES"
        " (20240101000000, 'init', TRUE, x'00', 1), (20240201000000, 'users', TRUE, x'01', 1),"
        " (20240301000000, 'orders', FALSE, x'02', -1);",
        2,
        "20240201000000 users",
    ),
    Case(
        "diesel",
        # diesel_migrations setup_migration_table.sql, on both backends.
        "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,"
        " run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);"
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000'), ('20240201000000');",
        "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,"
        " run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);"
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000'), ('20240201000000');",
        2,
        "20240201000000",
    ),
    Case(
        "dbmate",
        # dbmate's postgres driver (varchar(255)) and sqlite driver (varchar(128)): the version alone.
        "create table if not exists public.schema_migrations (version varchar(255) primary key);"
        "insert into public.schema_migrations (version) values ('20231201000000'), ('20240115093000');",
        'create table if not exists "schema_migrations" (version varchar(128) primary key);'
        "insert into \"schema_migrations\" (version) values ('20231201000000'), ('20240115093000');",
        2,
        "20240115093000",
    ),
    Case(
        "ecto",
        # Ecto.Migration.SchemaMigration: version bigint primary key, inserted_at naive_datetime.
        'CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" bigint, "inserted_at" timestamp(0),'
        ' PRIMARY KEY ("version"));'
        "INSERT INTO schema_migrations VALUES (20240101000000, '2024-01-01'), (20240301000000, '2024-03-01');",
        'CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" INTEGER PRIMARY KEY,'
        ' "inserted_at" TEXT);'
        "INSERT INTO schema_migrations VALUES (20240101000000, '2024-01-01'), (20240301000000, '2024-03-01');",
        2,
        "20240301000000",
    ),
    Case(
        "ef-core",
        # EF Core's HistoryRepository for Npgsql and SQLite.
        'CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" ("MigrationId" character varying(150) NOT NULL,'
        ' "ProductVersion" character varying(32) NOT NULL,'
        ' CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId"));'
        'INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES'
        " ('20240101093000_Initial', '8.0.1'), ('20240212100000_AddOrders', '8.0.1');",
        'CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL'
        ' CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY, "ProductVersion" TEXT NOT NULL);'
        'INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES'
        " ('20240101093000_Initial', '8.0.1'), ('20240212100000_AddOrders', '8.0.1');",
        2,
        "20240212100000_AddOrders",
    ),
    Case(
        "laravel",
        # Laravel's DatabaseMigrationRepository::createRepository through its schema grammars.
        'create table "migrations" ("id" serial not null primary key, "migration" varchar(255) not null,'
        ' "batch" integer not null);'
        "insert into migrations (migration, batch) values ('2014_10_12_000000_create_users_table', 1),"
        " ('2024_02_01_000000_create_orders_table', 2), ('2024_01_15_000000_create_tags_table', 2);",
        'create table "migrations" ("id" integer primary key autoincrement not null,'
        ' "migration" varchar not null, "batch" integer not null);'
        "insert into migrations (migration, batch) values ('2014_10_12_000000_create_users_table', 1),"
        " ('2024_02_01_000000_create_orders_table', 2), ('2024_01_15_000000_create_tags_table', 2);",
        3,
        "2024_02_01_000000_create_orders_table",
    ),
    Case(
        "typeorm",
        # TypeORM's MigrationExecutor.createMigrationsTableIfNotExist as its drivers render it.
        'CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL,'
        ' "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"));'
        "INSERT INTO migrations (timestamp, name) VALUES (1704067200000, 'Init1704067200000'),"
        " (1706745600000, 'Orders1706745600000');",
        'CREATE TABLE "migrations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,'
        ' "timestamp" bigint NOT NULL, "name" varchar NOT NULL);'
        "INSERT INTO migrations (timestamp, name) VALUES (1704067200000, 'Init1704067200000'),"
        " (1706745600000, 'Orders1706745600000');",
        2,
        "Orders1706745600000",
    ),
    Case(
        "sequelize",
        # sequelize-cli's SequelizeMeta (umzug's SequelizeStorage model), as Sequelize syncs it.
        'CREATE TABLE IF NOT EXISTS "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE,'
        ' PRIMARY KEY ("name"));'
        "INSERT INTO \"SequelizeMeta\" VALUES ('20240101000000-create-user.js'),"
        " ('20240201000000-create-order.js');",
        "CREATE TABLE IF NOT EXISTS `SequelizeMeta` (`name` VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY);"
        "INSERT INTO SequelizeMeta VALUES ('20240101000000-create-user.js'),"
        " ('20240201000000-create-order.js');",
        2,
        "20240201000000-create-order.js",
    ),
    Case(
        "drizzle",
        # drizzle-orm's pg-core and sqlite-core dialect.migrate().
        'CREATE SCHEMA IF NOT EXISTS "drizzle"; CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations"'
        " (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);"
        'INSERT INTO "drizzle"."__drizzle_migrations" ("hash", "created_at") VALUES'
        " ('9f2c', 1704067200000), ('7a1b', 1706745600000);",
        'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL,'
        " created_at numeric);"
        "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('9f2c', 1704067200000),"
        " ('7a1b', 1706745600000);",
        2,
        "1706745600000",
    ),
    Case(
        "atlas",
        # Atlas's ent Revision schema in its own schema; its identifier row and a failed file.
        "CREATE SCHEMA atlas_schema_revisions;"
        'CREATE TABLE "atlas_schema_revisions"."atlas_schema_revisions" ("version" character varying NOT NULL,'
        ' "description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2,'
        ' "applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0,'
        ' "executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL, "error" text NULL,'
        ' "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL,'
        ' "operator_version" character varying NOT NULL, PRIMARY KEY ("version"));'
        "INSERT INTO atlas_schema_revisions.atlas_schema_revisions (version, description, type, applied, total,"
        " executed_at, execution_time, error, hash, operator_version) VALUES"
        " ('.atlas_cloud_identifier', 'b2f1', 0, 0, 0, now(), 0, NULL, '', 'Atlas CLI v0.30.0'),"
        " ('20240101000000', 'init', 2, 3, 3, now(), 10, NULL, 'h1', 'Atlas CLI v0.30.0'),"
        " ('20240201000000', 'users', 2, 1, 1, now(), 10, NULL, 'h2', 'Atlas CLI v0.30.0'),"
        " ('20240301000000', 'orders', 2, 0, 2, now(), 10, 'syntax error', 'h3', 'Atlas CLI v0.30.0');",
        "CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, `description` text NOT NULL,"
        " `type` integer NOT NULL DEFAULT 2, `applied` integer NOT NULL DEFAULT 0,"
        " `total` integer NOT NULL DEFAULT 0, `executed_at` datetime NOT NULL,"
        " `execution_time` integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL,"
        " `partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`));"
        "INSERT INTO atlas_schema_revisions (version, description, type, applied, total, executed_at,"
        " execution_time, error, hash, operator_version) VALUES"
        " ('.atlas_cloud_identifier', 'b2f1', 0, 0, 0, '2024-01-01', 0, NULL, '', 'Atlas CLI v0.30.0'),"
        " ('20240101000000', 'init', 2, 3, 3, '2024-01-01', 10, NULL, 'h1', 'Atlas CLI v0.30.0'),"
        " ('20240201000000', 'users', 2, 1, 1, '2024-02-01', 10, NULL, 'h2', 'Atlas CLI v0.30.0'),"
        " ('20240301000000', 'orders', 2, 0, 2, '2024-03-01', 10, 'syntax error', 'h3', 'Atlas CLI v0.30.0');",
        2,
        "20240201000000 users",
    ),
    Case(
        "rails",
        # ActiveRecord's SchemaMigration and InternalMetadata tables.
        'CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);'
        'CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY,'
        ' "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);'
        "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240301000000');",
        'CREATE TABLE "schema_migrations" ("version" varchar NOT NULL PRIMARY KEY);'
        'CREATE TABLE "ar_internal_metadata" ("key" varchar NOT NULL PRIMARY KEY, "value" varchar,'
        ' "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL);'
        "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240301000000');",
        2,
        "20240301000000",
    ),
    Case(
        "sequel",  # Sequel's timestamp migrator: schema_migrations(filename)
        'CREATE TABLE "schema_migrations" ("filename" text NOT NULL PRIMARY KEY);'
        "INSERT INTO schema_migrations VALUES ('20240101000000_init.rb'), ('20240301000000_users.rb');",
        'CREATE TABLE "schema_migrations" ("filename" varchar(255) NOT NULL PRIMARY KEY);'
        "INSERT INTO schema_migrations VALUES ('20240101000000_init.rb'), ('20240301000000_users.rb');",
        2,
        "20240301000000_users.rb",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.tool for case in CASES])
def test_postgres(pg_database: str, case: Case) -> None:
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(case.postgres)  # type: ignore[arg-type]
    found = inspect(pg_database).migrations
    assert found is not None
    assert (found.tool, found.count, found.last) == (case.tool, case.count, case.last)


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.sqlite], ids=[case.tool for case in CASES if case.sqlite]
)
def test_sqlite(tmp_path: Path, case: Case) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY);" + (case.sqlite or ""))
    found = inspect(sqlite=str(path)).migrations
    assert found is not None
    assert (found.tool, found.count, found.last) == (case.tool, case.count, case.last)


def test_an_application_table_named_migrations_is_no_tool(pg_database: str) -> None:
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE migrations (id serial PRIMARY KEY, bird text, season int)")
    assert inspect(pg_database).migrations is None


@pytest.mark.parametrize(
    "table",
    [
        "schema_migrations (name text)",
        "flyway_schema_history (id int, script text)",
        "goose_db_version (version text)",
        "django_migrations (id int, label text)",
    ],
)
def test_a_table_of_a_tools_name_without_its_columns_is_no_tool(pg_database: str, table: str) -> None:
    """Its query would fail (`column "version" does not exist`) and the whole inspection with it."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table}")  # type: ignore[arg-type]
    assert inspect(pg_database).migrations is None
