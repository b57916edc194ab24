DROP TABLE IF EXISTS contacts;

--bun:split

DROP TABLE IF EXISTS job_batches;

--bun:split

DROP TABLE IF EXISTS jobs;
