// Package companydata keeps reference company data that users load from
// files, and finds companies in it by domain or by (fuzzy) name.
//
// Two file formats are read by [Store.Import]:
//
//   - "pdl": the People Data Labs Free Company Dataset as NDJSON, one JSON
//     object per line with the keys id, name, website, founded, size,
//     locality, region, country, industry and linkedin_url. Missing values
//     may be null or absent. Use the NDJSON file, not PDL's CSV: that CSV
//     escapes quotes with backslashes, which RFC 4180 readers misparse.
//
//   - "csv": an RFC 4180 CSV file whose first record is a header naming
//     the columns, in any order:
//
//     name,domain,size,locality,region,country,industry,linkedin_url,founded
//
//     Header names are matched case-insensitively, ignoring surrounding
//     space and treating " " and "-" as "_"; "website" is accepted for
//     domain, "linkedin" for linkedin_url, and an optional "id" column
//     gives the company's source id. Only name is required; unknown columns
//     are ignored. Every record must have as many fields as the header.
//
// Values are cleaned on the way in: the website or domain is reduced to
// its registrable domain (scheme, "www.", port and path dropped, public
// suffix list applied), a size such as "51-200" or "10001+" becomes a
// range (SizeMax 0 means open ended), the country becomes an ISO 3166-1
// alpha-2 code through the [Normalizer] when it knows it, and founding
// years outside 1000 to next year are dropped.
//
// Companies live in the table companies, with the trigrams of their
// normalised names in company_trigrams and import progress in
// company_imports (see migrations/*/20261128000002_companies.tx.up.sql).
package companydata

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Company is one company of the reference data.
type Company struct {
	ID          string `bun:"id,pk"` // Source + ":" + the source's id, or + a hash
	Source      string `bun:"source"`
	Name        string `bun:"name"`
	NameKey     string `bun:"name_key"` // Name as the Normalizer normalises it
	Domain      string `bun:"domain"`   // registrable domain, lower case
	SizeMin     int    `bun:"size_min"`
	SizeMax     int    `bun:"size_max"` // 0: open ended or unknown
	SizeText    string `bun:"size_text"`
	Locality    string `bun:"locality"`
	Region      string `bun:"region"`
	CountryCode string `bun:"country_code"` // ISO 3166-1 alpha-2, or ""
	CountryName string `bun:"country_name"`
	Industry    string `bun:"industry"`
	LinkedIn    string `bun:"linkedin"`
	Founded     int    `bun:"founded"` // year, 0 if unknown
}

// Normalizer turns company names into the keys they are matched on, and
// country names or codes into ISO 3166-1 alpha-2 codes.
type Normalizer interface {
	// Normalize returns the key a company name is matched on.
	Normalize(name string) string
	// Trigrams returns the trigrams of a normalised name.
	Trigrams(normalized string) []string
	// Country returns the alpha-2 code and the name of a country given
	// by name or code, and ok false if it does not know it.
	Country(nameOrCode string) (code, name string, ok bool)
}

// Store reads and writes the reference company data.
type Store struct {
	db        *bun.DB
	batchSize int

	mu       sync.Mutex
	df       map[string]int // companies per trigram, for choosing the rare ones
	dfExpiry time.Time
	some     bool // the table had companies when last asked, at someAt
	someAt   time.Time

	memoryMax int          // see memoryMax; 0: never in memory
	loadMu    sync.Mutex   // one load of the snapshot at a time
	mem       *memoryIndex // nil: too many companies, or not loaded
	memExpiry time.Time    // when mem is to be loaded again
}

const (
	// lookupGrams is how many of a name's trigrams, the rarest, a fuzzy
	// lookup asks for: a trigram most names share ("ing", "hol") finds
	// nothing that the rare ones do not, and costs a sort of every
	// company that has it.
	lookupGrams = 8
	// dfTTL is how long trigram frequencies are kept; an import meanwhile
	// only makes the choice of trigrams a little less apt.
	dfTTL = 10 * time.Minute
	// emptyTTL is how long "no companies" is believed: data imported
	// meanwhile is matched by name that much later.
	emptyTTL = 30 * time.Second
	// maxDF bounds the trigram frequencies kept.
	maxDF = 200000
)

// defaultBatchSize is the number of rows Import writes per transaction.
const defaultBatchSize = 10000

// New returns a Store on db, whose schema the migrations of package
// migrations have brought up to date.
func New(db *bun.DB) *Store {
	return &Store{db: db, batchSize: defaultBatchSize, memoryMax: memoryMax}
}

// ByDomain returns the companies of each of domains, in one query. The
// domains may be host names or URLs: each is looked up by its registrable
// domain. The map is keyed by the domains as given and holds only those
// with companies, largest first.
func (s *Store) ByDomain(ctx context.Context, domains []string) (map[string][]Company, error) {
	keys := make(map[string][]string) // registrable domain → domains as given
	for _, d := range domains {
		if r := registrableDomain(d); r != "" && !slices.Contains(keys[r], d) {
			keys[r] = append(keys[r], d)
		}
	}
	if len(keys) == 0 {
		return map[string][]Company{}, nil
	}
	var list []string
	for r := range keys {
		list = append(list, r)
	}
	var found []Company
	err := s.db.NewSelect().Model(&found).ModelTableExpr("companies AS company").
		Where("domain IN (?)", bun.List(list)).
		OrderExpr("domain, size_min DESC, id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("companies by domain: %w", err)
	}
	out := make(map[string][]Company)
	for _, c := range found {
		for _, d := range keys[c.Domain] {
			out[d] = append(out[d], c)
		}
	}
	return out, nil
}

// Empty reports whether there are no companies at all, asking the
// database at most once per emptyTTL while there are none and never again
// once there are: a pipeline without reference data then asks nothing by
// name.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	s.mu.Lock()
	if s.some || time.Since(s.someAt) < emptyTTL {
		defer s.mu.Unlock()
		return !s.some, nil
	}
	s.mu.Unlock()
	some, err := s.db.NewSelect().Table("companies").Limit(1).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("any companies: %w", err)
	}
	s.mu.Lock()
	s.some, s.someAt = some, time.Now()
	s.mu.Unlock()
	return !some, nil
}

// Candidates returns up to limit companies that may be the one named by
// nameKey (a normalised name) with the given trigrams: first those whose
// name key is nameKey, largest first, then those sharing the most
// trigrams with it, closest in length first among equals. A reference set
// of up to 20,000 companies is read into memory once every ten minutes (and
// after an Import on this Store) and answered from there.
func (s *Store) Candidates(ctx context.Context, nameKey string, trigrams []string, limit int) ([]Company, error) {
	if limit <= 0 {
		return nil, nil
	}
	if m, err := s.memory(ctx); err != nil {
		return nil, fmt.Errorf("companies like %q: %w", nameKey, err)
	} else if m != nil {
		return m.candidates(nameKey, dedupe(trigrams), limit), nil
	}
	var exact []Company
	if nameKey != "" {
		err := s.db.NewSelect().Model(&exact).ModelTableExpr("companies AS company").
			Where("name_key = ?", nameKey).
			OrderExpr("size_min DESC, id").
			Limit(int64(limit)).
			Scan(ctx)
		if err != nil {
			return nil, fmt.Errorf("companies named %q: %w", nameKey, err)
		}
	}
	grams := dedupe(trigrams)
	if len(exact) >= limit || len(grams) == 0 {
		return exact, nil
	}
	grams, err := s.rarest(ctx, grams, lookupGrams)
	if err != nil {
		return nil, fmt.Errorf("companies sharing trigrams with %q: %w", nameKey, err)
	}
	if len(grams) == 0 {
		return exact, nil
	}
	// Ties on the shared count are broken by length outside the subquery,
	// so the subquery keeps some more than it needs.
	shared := s.db.NewSelect().
		TableExpr("company_trigrams").
		ColumnExpr("company_id, COUNT(*) AS shared").
		Where("trigram IN (?)", bun.List(grams)).
		GroupExpr("company_id").
		OrderExpr("shared DESC, company_id").
		Limit(int64(4*limit + len(exact)))
	var fuzzy []Company
	err = s.db.NewSelect().Model(&fuzzy).
		ModelTableExpr("(?) AS t JOIN companies AS company ON company.id = t.company_id", shared).
		Where("company.name_key <> ?", nameKey).
		OrderExpr("t.shared DESC, ABS(LENGTH(company.name_key) - ?) ASC, company.id", len(nameKey)).
		Limit(int64(limit - len(exact))).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("companies sharing trigrams with %q: %w", nameKey, err)
	}
	return append(exact, fuzzy...), nil
}

// rarest returns the (at most) n of grams that the fewest companies have,
// leaving out those no company has; it asks in one query for the
// frequencies it does not know yet.
func (s *Store) rarest(ctx context.Context, grams []string, n int) ([]string, error) {
	s.mu.Lock()
	now := time.Now()
	if s.df == nil || now.After(s.dfExpiry) || len(s.df) > maxDF {
		s.df, s.dfExpiry = map[string]int{}, now.Add(dfTTL)
	}
	var unknown []string
	for _, g := range grams {
		if _, ok := s.df[g]; !ok {
			unknown = append(unknown, g)
		}
	}
	s.mu.Unlock()
	if len(unknown) > 0 {
		var counts []struct {
			Trigram string `bun:"trigram"`
			N       int    `bun:"n"`
		}
		err := s.db.NewSelect().TableExpr("company_trigrams").
			ColumnExpr("trigram, COUNT(*) AS n").
			Where("trigram IN (?)", bun.List(unknown)).
			GroupExpr("trigram").
			Scan(ctx, &counts)
		if err != nil {
			return nil, fmt.Errorf("trigram frequencies: %w", err)
		}
		s.mu.Lock()
		for _, g := range unknown {
			s.df[g] = 0
		}
		for _, c := range counts {
			s.df[c.Trigram] = c.N
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	df := make(map[string]int, len(grams))
	for _, g := range grams {
		df[g] = s.df[g]
	}
	s.mu.Unlock()
	out := slices.DeleteFunc(slices.Clone(grams), func(g string) bool { return df[g] == 0 })
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(df[a], df[b]) })
	return out[:min(n, len(out))], nil
}

// dedupe returns the distinct non-empty strings of ss, in order.
func dedupe(ss []string) []string {
	var out []string
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// registrableDomain returns the registrable domain (eTLD+1) of a website
// or host in lower case, such as "acme.co.uk" for
// "https://www.shop.acme.co.uk:8443/about", or "" if it has none.
func registrableDomain(website string) string {
	h := strings.ToLower(strings.TrimSpace(website))
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#\\"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndex(h, "@"); i >= 0 {
		h = h[i+1:]
	}
	if i := strings.LastIndex(h, ":"); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	h = strings.TrimPrefix(h, "www.")
	return etldPlusOne(h)
}
