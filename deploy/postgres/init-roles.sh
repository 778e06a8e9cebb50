#!/bin/sh
# Run once by the postgres image when its data volume is empty (/docker-entrypoint-initdb.d), as the superuser.
# Cairn's two roles, as in the README's "Running against an existing PostgreSQL": cairn_owner owns the database and
# runs the migrations, cairn_app is what the server connects as; Cairn grants cairn_app its privileges at each start.
# The passwords come from the environment, never from this file; psql's :'var' quotes them as literals.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$POSTGRES_OWNER_PASSWORD" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE cairn_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE cairn_app LOGIN PASSWORD :'app_password';
-- Lets the owner's migrations alter the feature tables that the server creates (and owns) in feature_data.
GRANT cairn_app TO cairn_owner;
CREATE DATABASE cairn OWNER cairn_owner;
SQL
