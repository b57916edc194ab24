-- Reference company data (package companydata): one row per company of an
-- imported file such as the People Data Labs Free Company Dataset.
CREATE TABLE companies (
    id           text PRIMARY KEY,            -- source ":" source id, or source ":" hash
    source       text NOT NULL,               -- "pdl", "csv"
    name         text NOT NULL,
    name_key     text NOT NULL DEFAULT '',    -- normalised name
    domain       text NOT NULL DEFAULT '',    -- registrable domain, lower case
    size_min     integer NOT NULL DEFAULT 0,
    size_max     integer NOT NULL DEFAULT 0,  -- 0 = open ended ("10001+") or unknown
    size_text    text NOT NULL DEFAULT '',
    locality     text NOT NULL DEFAULT '',
    region       text NOT NULL DEFAULT '',
    country_code text NOT NULL DEFAULT '',    -- ISO 3166-1 alpha-2 if known, else ''
    country_name text NOT NULL DEFAULT '',
    industry     text NOT NULL DEFAULT '',
    linkedin     text NOT NULL DEFAULT '',
    founded      integer NOT NULL DEFAULT 0,  -- year, 0 = unknown
    imported_at  timestamptz NOT NULL
);

--bun:split

CREATE INDEX companies_domain_idx ON companies (domain);

--bun:split

CREATE INDEX companies_name_key_idx ON companies (name_key);

--bun:split

-- Trigrams of name_key, for fuzzy candidate retrieval without pg_trgm.
-- A re-import that changes a name_key deletes the trigrams of the old one
-- by their primary key, so no index on company_id is needed.
CREATE TABLE company_trigrams (
    trigram    text NOT NULL,
    company_id text NOT NULL,
    PRIMARY KEY (trigram, company_id)
);

--bun:split

-- Progress of resumable imports, one row per file (path, size and mtime).
CREATE TABLE company_imports (
    file_key    text PRIMARY KEY,
    byte_offset bigint NOT NULL DEFAULT 0,   -- bytes of the file imported so far
    row_count   bigint NOT NULL DEFAULT 0,   -- rows imported so far
    skipped     bigint NOT NULL DEFAULT 0,   -- bad lines skipped so far
    done        boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL
);
