ALTER TABLE contacts RESET (autovacuum_analyze_threshold);
