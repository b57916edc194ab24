package companydata

// SetBatchSize sets the rows Import writes per transaction, so that tests
// need few rows to span several batches.
func (s *Store) SetBatchSize(n int) { s.batchSize = n }

// SetMemoryMax sets the most companies Candidates answers from memory; 0
// makes it ask the database every time.
func (s *Store) SetMemoryMax(n int) {
	s.memoryMax = n
	s.staleMemory()
}
