CREATE TABLE jobs (
    id                text PRIMARY KEY,
    file_name         text NOT NULL DEFAULT '',
    status            text NOT NULL,
    columns           jsonb NOT NULL DEFAULT '[]',
    total             integer,
    batches           integer,
    processed         integer NOT NULL DEFAULT 0,
    succeeded         integer NOT NULL DEFAULT 0,
    failed            integer NOT NULL DEFAULT 0,
    email_valid       integer NOT NULL DEFAULT 0,
    email_invalid     integer NOT NULL DEFAULT 0,
    email_catch_all   integer NOT NULL DEFAULT 0,
    email_do_not_mail integer NOT NULL DEFAULT 0,
    email_unknown     integer NOT NULL DEFAULT 0,
    companies_found   integer NOT NULL DEFAULT 0,
    error             text NOT NULL DEFAULT '',
    seq               bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    finished_at       timestamptz
);

--bun:split

CREATE INDEX jobs_created_at_idx ON jobs (created_at DESC, id DESC);

--bun:split

-- One row per processed batch: the key that makes a redelivered result
-- batch change nothing.
CREATE TABLE job_batches (
    job_id       text NOT NULL,
    batch_no     integer NOT NULL,
    row_count    integer NOT NULL,
    worker       text NOT NULL DEFAULT '',
    processed_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, batch_no)
);

--bun:split

-- One row per uploaded row, written once, with its enrichment.
CREATE TABLE contacts (
    job_id         text NOT NULL,
    row_no         integer NOT NULL,
    status         text NOT NULL,
    error          text NOT NULL DEFAULT '',
    first_name     text NOT NULL DEFAULT '',
    last_name      text NOT NULL DEFAULT '',
    email          text NOT NULL DEFAULT '',
    company        text NOT NULL DEFAULT '',
    phone          text NOT NULL DEFAULT '',
    fields         jsonb NOT NULL DEFAULT '[]',
    email_status   text NOT NULL DEFAULT '',
    company_domain text NOT NULL DEFAULT '',
    email_result   jsonb,
    company_result jsonb,
    PRIMARY KEY (job_id, row_no)
);
