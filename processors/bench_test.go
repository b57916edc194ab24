package processors

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/processors/companymatch"
	"github.com/enricher/enricher/schema"
)

// BenchmarkCompanies resolves batches of 500 contacts of one job against
// 10,000 reference companies: 70% work addresses, 20% a company name
// and a webmail address (the name is matched), 10% neither.
func BenchmarkCompanies(b *testing.B) {
	const companies, batch = 10000, 500
	ctx := context.Background()
	st := testenv.Store(b)
	path := filepath.Join(b.TempDir(), "ref.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "name,domain,size,locality,country,industry")
	names := make([]string, companies)
	for i := range names {
		names[i] = benchName(i)
		fmt.Fprintf(w, "%s,co%05d.test,51-200,lyon,france,research\n", names[i], i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	data := companydata.New(st.DB())
	if _, err := data.Import(ctx, path, companydata.FormatCSV, companymatch.Keys{}, nil); err != nil {
		b.Fatal(err)
	}
	c := &Companies{Data: data}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, companies-1)
	contacts := make([]schema.Contact, batch)
	emails := make([]*schema.EmailResult, batch)
	jobCtx := WithJob(ctx, "bench")
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for i := range contacts {
			n := int(zipf.Uint64())
			name := names[n]
			switch r := rng.IntN(10); {
			case r < 7:
				contacts[i] = schema.Contact{Email: fmt.Sprintf("p%d@co%05d.test", i, n), Company: name}
			case r < 9:
				contacts[i] = schema.Contact{Email: fmt.Sprintf("p%d@gmail.com", i), Company: name + " Inc"}
			default:
				contacts[i] = schema.Contact{Email: fmt.Sprintf("p%d@gmail.com", i)}
			}
			emails[i] = checked(contacts[i].Email)
		}
		b.StartTimer()
		c.Resolve(jobCtx, contacts, emails)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "contacts/s")
}

// benchName is a made-up company name for i: two words of syllables and,
// for some, a common word such as Group.
func benchName(i int) string {
	syl := []string{"ka", "lo", "mi", "ran", "te", "vo", "sen", "dar", "qui", "bel", "tor", "ni", "zu", "pha", "gre", "wyn"}
	common := []string{"", "", "Group", "Systems", "Partners", "Labs", "Holdings", "Foods"}
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	word := func() string {
		var b strings.Builder
		for range 2 + rng.IntN(2) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return strings.ToUpper(b.String()[:1]) + b.String()[1:]
	}
	return strings.TrimSpace(word() + " " + word() + " " + common[rng.IntN(len(common))])
}
