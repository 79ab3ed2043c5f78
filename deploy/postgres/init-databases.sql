-- Creates the six service databases (libs/contracts SERVICE_CATALOG `database`) when a fresh
-- PostgreSQL data directory is initialised. Mounted by docker-compose.yml into
-- /docker-entrypoint-initdb.d/, where it runs once, as POSTGRES_USER, in POSTGRES_DB.
-- The services also create their database when it is missing (given a role with CREATEDB),
-- so this script only makes them independent of that privilege.
-- Checked against the catalog by deploy/manifests.spec.ts.
CREATE DATABASE orders;
CREATE DATABASE inventory;
CREATE DATABASE payments;
CREATE DATABASE logistics;
CREATE DATABASE after_sales;
CREATE DATABASE notifications;
