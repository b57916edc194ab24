-- API keys: each belongs to a tenant. Only the SHA-256 of a key is kept;
-- prefix is its first characters, to tell keys apart in a listing.
CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    tenant     text NOT NULL,
    name       text NOT NULL DEFAULT '',
    hash       text NOT NULL UNIQUE,      -- hex SHA-256 of the whole key
    prefix     text NOT NULL DEFAULT '',
    created_at timestamp NOT NULL,
    revoked_at timestamp
);

--bun:split

CREATE INDEX api_keys_tenant_idx ON api_keys (tenant, created_at);

--bun:split

-- Every job belongs to a tenant; jobs made before tenants belong to the
-- local one, the tenant of a server that runs without API keys.
ALTER TABLE jobs ADD COLUMN tenant text NOT NULL DEFAULT 'local';

--bun:split

CREATE INDEX jobs_tenant_idx ON jobs (tenant, id DESC);
