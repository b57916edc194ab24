ALTER TABLE contacts RESET (autovacuum_vacuum_insert_threshold);
