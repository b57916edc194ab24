package companydata

// SetBatchSize sets the rows Import writes per transaction, so that tests
// need few rows to span several batches.
func (s *Store) SetBatchSize(n int) { s.batchSize = n }
