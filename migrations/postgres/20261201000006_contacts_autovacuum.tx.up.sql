-- Contacts are written once, by the aggregator, a job's worth at a time,
-- and never updated. Vacuums triggered by inserts (PostgreSQL 13+, every
-- 1,000 rows plus a fifth of the table) ran in the middle of large jobs,
-- reading back the pages being filled for nothing to clean; a 1,000,000-row
-- job paid about half a second of the server's CPU for one. Deleting jobs
-- still triggers the vacuums that matter, and anti-wraparound vacuums are
-- unaffected.
ALTER TABLE contacts SET (autovacuum_vacuum_insert_threshold = -1);
