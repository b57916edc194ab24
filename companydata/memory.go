package companydata

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// memoryMax is the most companies Candidates holds in memory (with their
// trigrams) to answer without asking the database: a small reference set,
// such as the sample, is then matched at the speed of a map. Above it every
// lookup asks the database.
const memoryMax = 20000

// memoryIndex is a snapshot of a small reference set.
type memoryIndex struct {
	companies []Company
	byKey     map[string][]int // name_key -> companies, size_min descending then id
	byGram    map[string][]int // trigram -> companies
}

// memory returns the in-memory snapshot of the reference data, loading it
// when it is older than dfTTL (or an Import on this Store made it stale),
// or nil when there are more than max companies.
func (s *Store) memory(ctx context.Context) (*memoryIndex, error) {
	snapshot := func() (*memoryIndex, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.mem, time.Now().Before(s.memExpiry)
	}
	if idx, fresh := snapshot(); fresh {
		return idx, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if idx, fresh := snapshot(); fresh {
		return idx, nil // loaded while this call waited
	}
	idx, err := s.loadMemory(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.mem, s.memExpiry = idx, time.Now().Add(dfTTL)
	s.mu.Unlock()
	return idx, nil
}

// staleMemory makes the next Candidates load the snapshot again.
func (s *Store) staleMemory() {
	s.mu.Lock()
	s.memExpiry = time.Time{}
	s.mu.Unlock()
}

func (s *Store) loadMemory(ctx context.Context) (*memoryIndex, error) {
	if s.memoryMax <= 0 {
		return nil, nil
	}
	n, err := s.db.NewSelect().Table("companies").Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count companies: %w", err)
	}
	if n > int64(s.memoryMax) {
		return nil, nil
	}
	idx := &memoryIndex{byKey: map[string][]int{}, byGram: map[string][]int{}}
	if err := s.db.NewSelect().Model(&idx.companies).ModelTableExpr("companies AS company").
		OrderExpr("size_min DESC, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("read companies: %w", err)
	}
	at := make(map[string]int, len(idx.companies))
	for i, c := range idx.companies {
		at[c.ID] = i
		idx.byKey[c.NameKey] = append(idx.byKey[c.NameKey], i)
	}
	var grams []struct {
		Trigram   string `bun:"trigram"`
		CompanyID string `bun:"company_id"`
	}
	if err := s.db.NewSelect().Table("company_trigrams").Column("trigram", "company_id").Scan(ctx, &grams); err != nil {
		return nil, fmt.Errorf("read trigrams: %w", err)
	}
	for _, g := range grams {
		if i, ok := at[g.CompanyID]; ok {
			idx.byGram[g.Trigram] = append(idx.byGram[g.Trigram], i)
		}
	}
	return idx, nil
}

// candidates is Candidates on the snapshot: the same companies in the
// same order as the queries.
func (m *memoryIndex) candidates(nameKey string, grams []string, limit int) []Company {
	var out []Company
	if nameKey != "" {
		for _, i := range m.byKey[nameKey] {
			if len(out) == limit {
				break
			}
			out = append(out, m.companies[i])
		}
	}
	if len(out) >= limit || len(grams) == 0 {
		return out
	}
	// The rarest grams that some company has.
	grams = slices.DeleteFunc(slices.Clone(grams), func(g string) bool { return len(m.byGram[g]) == 0 })
	slices.SortStableFunc(grams, func(a, b string) int { return cmp.Compare(len(m.byGram[a]), len(m.byGram[b])) })
	grams = grams[:min(lookupGrams, len(grams))]
	if len(grams) == 0 {
		return out
	}
	shared := map[int]int{}
	for _, g := range grams {
		for _, i := range m.byGram[g] {
			shared[i]++
		}
	}
	type hit struct{ i, shared int }
	hits := make([]hit, 0, len(shared))
	for i, n := range shared {
		hits = append(hits, hit{i, n})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.shared, a.shared), cmp.Compare(m.companies[a.i].ID, m.companies[b.i].ID))
	})
	hits = hits[:min(4*limit+len(out), len(hits))]
	hits = slices.DeleteFunc(hits, func(h hit) bool { return m.companies[h.i].NameKey == nameKey })
	// As the query: the key's length in bytes against each name's in characters.
	dist := func(h hit) int { return abs(utf8.RuneCountInString(m.companies[h.i].NameKey) - len(nameKey)) }
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.shared, a.shared), cmp.Compare(dist(a), dist(b)), cmp.Compare(m.companies[a.i].ID, m.companies[b.i].ID))
	})
	for _, h := range hits[:min(limit-len(out), len(hits))] {
		out = append(out, m.companies[h.i])
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
