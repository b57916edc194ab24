// Package bench measures the whole pipeline: it generates a contacts file,
// serves DNS for its domains on loopback, runs the enricher's processes,
// uploads the file, follows the job, downloads the export, loads it into
// PostgreSQL with COPY as a floor, and reports the figures as a table and
// as JSON.
package bench

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// Header is the header of a generated contacts file.
var Header = []string{"first_name", "last_name", "email", "company", "phone"}

// Webmail are the free mail providers of the generated webmail addresses.
var Webmail = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com", "proton.me", "gmx.de"}

// Disposable are the throw-away providers of some broken rows.
var Disposable = []string{"mailinator.com", "guerrillamail.com", "10minutemail.com"}

var (
	firstNames = []string{"Ada", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
		"Kemi", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoë"}
	lastNames = []string{"Abbott", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ivanova", "Jensen",
		"Kowalski", "Larsen", "Moreau", "Nakamura", "O'Neil", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Vogel", "Weber", "Young", "Zhang"}
	// words make the generated company names and their domains,
	// "<word><n>.test": reserved names that cannot be real companies.
	words = []string{"alder", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
		"kestrel", "lumen", "meridian", "nimbus", "onyx", "pylon", "quartz", "ridge", "summit", "tundra",
		"umber", "vertex", "willow", "xenon", "yarrow", "zephyr"}
	kinds    = []string{"Systems", "Labs", "Logistics", "Foods", "Analytics", "Partners", "Works", "Energy", "Health", "Media"}
	suffixes = []string{"", "", " Inc", " Inc.", ", LLC", " LLC", " Ltd", " Ltd.", " GmbH", " Corp"}
	roles    = []string{"info", "sales", "admin", "support", "noreply"}
)

// Domain returns the name of company domain i: "<word><i>.test".
func Domain(i int) string {
	return words[i%len(words)] + strconv.Itoa(i) + ".test"
}

// CompanyName returns the clean name of company i, as its reference
// record would have it.
func CompanyName(i int) string {
	w := words[i%len(words)]
	return strings.ToUpper(w[:1]) + w[1:] + " " + strconv.Itoa(i) + " " + kinds[(i/len(words))%len(kinds)]
}

// GenConfig describes a generated contacts file.
type GenConfig struct {
	Rows    int    // data rows
	Domains int    // distinct company domains the work addresses are drawn from
	Seed    uint64 // the same seed gives the same file
}

// GenStats describes what was generated.
type GenStats struct {
	Rows          int   `json:"rows"`
	Bytes         int64 `json:"bytes"`
	Work          int   `json:"work_rows"`
	Webmail       int   `json:"webmail_rows"`
	Broken        int   `json:"broken_rows"`
	DomainsInFile int   `json:"domains_in_file"` // distinct company domains that occur
}

// Generate writes a contacts CSV to w, row by row: about 70% work addresses
// over cfg.Domains company domains drawn Zipf-like (a few companies have
// many contacts, most have few), 25% webmail, 5% broken, disposable or
// role addresses. Company names carry noise: legal forms, case, the odd
// typo.
func Generate(w io.Writer, cfg GenConfig) (GenStats, error) {
	if cfg.Rows < 0 || cfg.Domains < 1 {
		return GenStats{}, fmt.Errorf("generate: want rows >= 0 and domains >= 1, got %d and %d", cfg.Rows, cfg.Domains)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<16)
	out := csv.NewWriter(bw)
	r := rand.New(rand.NewPCG(cfg.Seed, 0x656e7269636865))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(cfg.Domains-1))
	seen := make([]bool, cfg.Domains)
	st := GenStats{Rows: cfg.Rows}
	if err := out.Write(Header); err != nil {
		return st, fmt.Errorf("generate: %w", err)
	}
	rec := make([]string, len(Header))
	for n := range cfg.Rows {
		first := firstNames[r.IntN(len(firstNames))]
		last := lastNames[r.IntN(len(lastNames))]
		local := asciiLower(first) + "." + asciiLower(last)
		company, email := "", ""
		switch p := r.IntN(100); {
		case p < 70:
			i := int(zipf.Uint64())
			if !seen[i] {
				seen[i] = true
				st.DomainsInFile++
			}
			st.Work++
			switch r.IntN(3) {
			case 0:
				email = local + "@" + Domain(i)
			case 1:
				email = asciiLower(first[:1]) + asciiLower(last) + "@" + Domain(i)
			default:
				email = asciiLower(first) + strconv.Itoa(n%100) + "@" + Domain(i)
			}
			company = noisy(r, CompanyName(i))
		case p < 95:
			st.Webmail++
			email = local + strconv.Itoa(n) + "@" + Webmail[r.IntN(len(Webmail))]
			if r.IntN(2) == 0 {
				company = noisy(r, CompanyName(r.IntN(cfg.Domains)))
			}
		default:
			st.Broken++
			i := r.IntN(cfg.Domains)
			switch r.IntN(3) {
			case 0: // no at sign
				email = local + "." + Domain(i)
			case 1:
				email = local + strconv.Itoa(n) + "@" + Disposable[r.IntN(len(Disposable))]
			default:
				email = roles[r.IntN(len(roles))] + "@" + Domain(i)
			}
			company = noisy(r, CompanyName(i))
		}
		rec[0], rec[1], rec[2], rec[3] = first, last, email, company
		rec[4] = fmt.Sprintf("+1-555-%03d-%04d", r.IntN(1000), r.IntN(10000))
		if err := out.Write(rec); err != nil {
			return st, fmt.Errorf("generate row %d: %w", n+1, err)
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return st, fmt.Errorf("generate: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("generate: %w", err)
	}
	st.Bytes = cw.n
	return st, nil
}

// GenerateFile writes the contacts file to path.
func GenerateFile(path string, cfg GenConfig) (GenStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return GenStats{}, fmt.Errorf("generate: %w", err)
	}
	st, err := Generate(f, cfg)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("generate: %w", cerr)
	}
	return st, err
}

// noisy returns name as people type it: a legal form added, its case
// changed, now and then a letter dropped.
func noisy(r *rand.Rand, name string) string {
	name += suffixes[r.IntN(len(suffixes))]
	switch r.IntN(10) {
	case 0:
		name = strings.ToLower(name)
	case 1:
		name = strings.ToUpper(name)
	}
	if r.IntN(25) == 0 && len(name) > 4 {
		i := 1 + r.IntN(len(name)-2)
		if name[i] < 0x80 && name[i+1] < 0x80 {
			name = name[:i] + name[i+1:]
		}
	}
	return name
}

// asciiLower lower-cases s and drops what is not an ASCII letter, for the
// local part of an address.
func asciiLower(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
