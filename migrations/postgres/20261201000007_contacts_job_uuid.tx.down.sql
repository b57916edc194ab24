ALTER TABLE contacts ALTER COLUMN job_id TYPE text USING job_id::text;
