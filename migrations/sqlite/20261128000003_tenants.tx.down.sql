DROP INDEX IF EXISTS jobs_tenant_idx;

--bun:split

ALTER TABLE jobs DROP COLUMN tenant;

--bun:split

DROP TABLE IF EXISTS api_keys;
