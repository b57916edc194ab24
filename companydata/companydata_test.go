package companydata_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/store"
)

// simple is the normalizer of these tests: lower case and trimmed names,
// trigrams of the name padded with spaces, and a few countries.
type simple struct{}

func (simple) Normalize(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func (simple) Trigrams(s string) []string {
	r := []rune(" " + s + " ")
	var out []string
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, string(r[i:i+3]))
	}
	return out
}

func (simple) Country(s string) (code, name string, ok bool) {
	switch strings.ToLower(s) {
	case "united states", "us":
		return "US", "united states", true
	case "germany", "de":
		return "DE", "germany", true
	}
	return "", "", false
}

// open returns a Store on a migrated database: SQLite by default,
// PostgreSQL in integration mode.
func open(t testing.TB) (*companydata.Store, *store.Store) {
	t.Helper()
	st := testenv.Store(t)
	return companydata.New(st.DB()), st
}

// writeFile writes lines to a new file and returns its path.
func writeFile(t testing.TB, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// all returns every company, by id.
func all(t *testing.T, st *store.Store) []companydata.Company {
	t.Helper()
	var cs []companydata.Company
	err := st.DB().NewSelect().Model(&cs).ModelTableExpr("companies AS company").Order("id").Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestImportPDL(t *testing.T) {
	s, st := open(t)
	path := writeFile(t, "pdl.json",
		`{"id":"a1","name":"acme inc","website":"acme.com/about","founded":1999,"size":"51-200","locality":"san francisco","region":"california","country":"united states","industry":"computer software","linkedin_url":"linkedin.com/company/acme"}`,
		`{"id":"b2","name":"Beta GmbH ","website":"https://www.beta.co.uk:8080/x?y=1","founded":null,"size":"10001+","locality":null,"region":null,"country":"germany","industry":null,"linkedin_url":"linkedin.com/company/beta"}`,
		`{"id":"c3","name":"gamma","size":"odd","country":"atlantis"}`,
		``,
		`{"id":"d4","name":"delta","website":"http://shop.delta.com","size":"1,001-5,000","founded":"2005"}`,
		`{"name":"epsilon","founded":3000,"size":"2-10","extra":[1,2]}`,
		`{"id":"x","name":`,
		`{"id":"y","name":null}`,
		`not json`,
	)
	stats, err := s.Import(context.Background(), path, companydata.FormatPDL, simple{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 5 || stats.Skipped != 3 || stats.Resumed {
		t.Errorf("stats = %+v, want 5 rows, 3 skipped, not resumed", stats)
	}
	wantEx := []string{"line 7: invalid JSON", "line 8: no name", "line 9: invalid JSON"}
	if len(stats.Examples) != len(wantEx) {
		t.Fatalf("examples = %q, want %q", stats.Examples, wantEx)
	}
	for i, w := range wantEx {
		if !strings.HasPrefix(stats.Examples[i], w) {
			t.Errorf("example %d = %q, want prefix %q", i, stats.Examples[i], w)
		}
	}
	got := all(t, st)
	if len(got) != 5 {
		t.Fatalf("%d companies, want 5", len(got))
	}
	want := []companydata.Company{
		{ID: "pdl:a1", Source: "pdl", Name: "acme inc", NameKey: "acme inc", Domain: "acme.com", SizeMin: 51, SizeMax: 200, SizeText: "51-200",
			Locality: "san francisco", Region: "california", CountryCode: "US", CountryName: "united states",
			Industry: "computer software", LinkedIn: "linkedin.com/company/acme", Founded: 1999},
		{ID: "pdl:b2", Source: "pdl", Name: "Beta GmbH", NameKey: "beta gmbh", Domain: "beta.co.uk", SizeMin: 10001, SizeText: "10001+",
			CountryCode: "DE", CountryName: "germany", LinkedIn: "linkedin.com/company/beta"},
		{ID: "pdl:c3", Source: "pdl", Name: "gamma", NameKey: "gamma", SizeText: "odd", CountryName: "atlantis"},
		{ID: "pdl:d4", Source: "pdl", Name: "delta", NameKey: "delta", Domain: "delta.com", SizeMin: 1001, SizeMax: 5000, SizeText: "1,001-5,000", Founded: 2005},
	}
	byName := map[string]companydata.Company{}
	for _, c := range got {
		byName[c.NameKey] = c
	}
	for _, w := range want {
		if c := byName[w.NameKey]; !reflect.DeepEqual(c, w) {
			t.Errorf("company =\n%+v\nwant\n%+v", c, w)
		}
	}
	// epsilon has no id: its id is a hash, its founding year implausible.
	eps := byName["epsilon"]
	if !strings.HasPrefix(eps.ID, "pdl:") || len(eps.ID) < 20 || eps.Name != "epsilon" || eps.Founded != 0 || eps.SizeMin != 2 || eps.SizeMax != 10 {
		t.Errorf("epsilon = %+v", eps)
	}
}

func TestImportCSVHeaders(t *testing.T) {
	acme := companydata.Company{Source: "csv", Name: "Acme", NameKey: "acme", Domain: "acme.com", SizeMin: 11, SizeMax: 50, SizeText: "11-50",
		Locality: "berlin", Region: "be", CountryCode: "DE", CountryName: "germany", Industry: "software", LinkedIn: "linkedin.com/company/acme", Founded: 2010}
	tests := []struct {
		name  string
		lines []string
		want  companydata.Company // ID not compared
		err   string
	}{
		{"documented header", []string{
			"name,domain,size,locality,region,country,industry,linkedin_url,founded",
			"Acme,acme.com,11-50,berlin,be,de,software,linkedin.com/company/acme,2010",
		}, acme, ""},
		{"case, spaces, order, aliases, BOM, unknown column", []string{
			"\ufeff Founded ,LinkedIn URL,Industry,Country,Region,Locality,Size,WEBSITE,Name,notes",
			`2010,linkedin.com/company/acme,software,Germany,be,berlin,11-50,https://www.acme.com/x,"Acme",hi`,
		}, acme, ""},
		{"name only", []string{"NAME", "Acme"}, companydata.Company{Source: "csv", Name: "Acme", NameKey: "acme"}, ""},
		{"no name column", []string{"domain,size", "acme.com,1-10"}, companydata.Company{}, "no name column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st := open(t)
			stats, err := s.Import(context.Background(), writeFile(t, "c.csv", tt.lines...), companydata.FormatCSV, simple{}, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := all(t, st)
			if stats.Rows != 1 || len(got) != 1 {
				t.Fatalf("stats %+v, %d companies, want 1 row", stats, len(got))
			}
			tt.want.ID = got[0].ID
			if !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("company =\n%+v\nwant\n%+v", got[0], tt.want)
			}
		})
	}
}

func TestImportCSVBadLines(t *testing.T) {
	s, _ := open(t)
	path := writeFile(t, "c.csv",
		"name,domain",
		"acme,acme.com",
		"too,many,fields",
		`"multi`+"\n"+`line",multi.com`,
		`bare"quote,x.com`,
		",nameless.com",
		"beta,beta.com",
	)
	stats, err := s.Import(context.Background(), path, companydata.FormatCSV, simple{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"line 3: 3 fields, header has 2", "line 6: bare \" in non-quoted-field", "line 7: no name"}
	if stats.Rows != 3 || stats.Skipped != 3 || !reflect.DeepEqual(stats.Examples, want) {
		t.Errorf("rows %d skipped %d examples %q, want 3, 3, %q", stats.Rows, stats.Skipped, stats.Examples, want)
	}
}

func TestImportResume(t *testing.T) {
	const rows = 50
	tests := []struct {
		format string
		header []string
		line   func(i int) string
	}{
		{companydata.FormatPDL, nil, func(i int) string {
			return fmt.Sprintf(`{"id":"%d","name":"company %d","website":"c%d.com","size":"1-10"}`, i, i, i)
		}},
		{companydata.FormatCSV, []string{"id,name,domain,size"}, func(i int) string {
			return fmt.Sprintf("%d,company %d,c%d.com,1-10", i, i, i)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			s, st := open(t)
			s.SetBatchSize(10)
			lines := tt.header
			for i := range rows {
				lines = append(lines, tt.line(i))
				if i == 30 {
					lines = append(lines, "{bad")
				}
			}
			badLine := len(tt.header) + 32
			path := writeFile(t, "f", lines...)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls int
			stats, err := s.Import(ctx, path, tt.format, simple{}, func(_, _ int64) { calls++; cancel() })
			if !errors.Is(err, context.Canceled) || calls != 1 || stats.Resumed || stats.Rows != 10 {
				t.Fatalf("first import: err %v, %d progress calls, stats %+v; want cancelled after 1 batch", err, calls, stats)
			}
			if n := len(all(t, st)); n != 10 {
				t.Fatalf("%d companies after the cancelled import, want 10", n)
			}

			var last [2]int64
			stats, err = s.Import(context.Background(), path, tt.format, simple{}, func(b, r int64) { last = [2]int64{b, r} })
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			if !stats.Resumed || stats.Rows != rows || stats.Skipped != 1 || last != [2]int64{fi.Size(), rows} {
				t.Errorf("resumed import: stats %+v, last progress %v; want resumed, %d rows, 1 skipped, progress [%d %d]", stats, last, rows, fi.Size(), rows)
			}
			if len(stats.Examples) != 1 || !strings.HasPrefix(stats.Examples[0], fmt.Sprintf("line %d: ", badLine)) {
				t.Errorf("examples = %q, want line %d", stats.Examples, badLine)
			}
			if n := len(all(t, st)); n != rows {
				t.Errorf("%d companies, want %d", n, rows)
			}

			stats, err = s.Import(context.Background(), path, tt.format, simple{}, func(_, _ int64) { t.Error("progress of a finished import") })
			if err != nil || !stats.Resumed || stats.Rows != rows {
				t.Errorf("import of a finished file: err %v stats %+v", err, stats)
			}
		})
	}
}

func TestReimportReplacesTrigrams(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	if _, err := s.Import(ctx, writeFile(t, "a.json", `{"id":"1","name":"old name"}`), companydata.FormatPDL, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, writeFile(t, "b.json", `{"id":"1","name":"zzz"}`), companydata.FormatPDL, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Candidates(ctx, "old name", simple{}.Trigrams("old name"), 5)
	if err != nil || len(got) != 0 {
		t.Fatalf("candidates for the old name = %v, %v; want none", got, err)
	}
	got, err = s.Candidates(ctx, "zz", simple{}.Trigrams("zz"), 5)
	if err != nil || len(got) != 1 || got[0].Name != "zzz" {
		t.Fatalf("candidates for the new name = %v, %v", got, err)
	}
}

func TestByDomain(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	path := writeFile(t, "c.csv",
		"id,name,domain,size",
		"1,Acme Small,acme.com,1-10",
		"2,Acme Big,www.acme.com/about,1001-5000",
		"3,Beta,beta.co.uk,11-50",
		"4,Nodomain,,11-50",
	)
	if _, err := s.Import(ctx, path, companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.ByDomain(ctx, []string{"acme.com", "https://WWW.Acme.com/x", "shop.beta.co.uk", "nope.com", "", "co.uk"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	for d, cs := range got {
		for _, c := range cs {
			names[d] = append(names[d], c.Name)
		}
	}
	want := map[string][]string{
		"acme.com":               {"Acme Big", "Acme Small"},
		"https://WWW.Acme.com/x": {"Acme Big", "Acme Small"},
		"shop.beta.co.uk":        {"Beta"},
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("ByDomain = %v, want %v", names, want)
	}
	if got, err := s.ByDomain(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("ByDomain(nil) = %v, %v", got, err)
	}
}

func TestCandidates(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	path := writeFile(t, "c.csv",
		"id,name,size",
		"1,acne,1-10",
		"2,acme corporation,1-10",
		"3,zeta,1-10",
		"4,acme corp,1-10",
		"5,acme,11-50",
		"6,ACME,1001-5000",
	)
	if _, err := s.Import(ctx, path, companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key   string
		limit int
		want  []string // names
	}{
		{"acme", 10, []string{"ACME", "acme", "acme corp", "acme corporation", "acne"}},
		{"acme", 3, []string{"ACME", "acme", "acme corp"}},
		{"acme", 1, []string{"ACME"}},
		{"acme corp", 2, []string{"acme corp", "acme corporation"}},
		{"acmee", 3, []string{"acme", "ACME", "acme corp"}},
		{"qqq", 3, nil},
		{"acme", 0, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.key, tt.limit), func(t *testing.T) {
			cs, err := s.Candidates(ctx, tt.key, simple{}.Trigrams(tt.key), tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cs {
				names = append(names, c.Name)
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Errorf("candidates = %q, want %q", names, tt.want)
			}
		})
	}
}

// A name among many that share its common words is found by its rare
// trigrams: "holdings group" does not drown "zyqvor".
func TestCandidatesByRareTrigrams(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	lines := []string{"name,domain"}
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("holdings group %03d,hg%03d.com", i, i))
	}
	lines = append(lines, "zyqvor holdings group,zyqvor.com")
	if _, err := s.Import(ctx, writeFile(t, "c.csv", lines...), companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	key := "zyqvr holdings group" // a dropped letter
	cs, err := s.Candidates(ctx, key, simple{}.Trigrams(key), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 || cs[0].Domain != "zyqvor.com" {
		t.Fatalf("candidates of %q = %+v, want zyqvor.com first", key, cs)
	}
}

func TestEmpty(t *testing.T) {
	ctx := context.Background()
	s, st := open(t)
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Fatalf("Empty() on a new store = %v, %v; want true", empty, err)
	}
	if _, err := s.Import(ctx, writeFile(t, "c.csv", "name,domain", "Acme,acme.com"), companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	if empty, err := companydata.New(st.DB()).Empty(ctx); err != nil || empty {
		t.Fatalf("Empty() after an import = %v, %v; want false", empty, err)
	}
}

// The sample dataset loads into an empty store, marked as the sample, and
// only there.
func TestImportSample(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	n, err := s.ImportSample(ctx, simple{})
	if err != nil || n < 200 {
		t.Fatalf("ImportSample = %d, %v; want the 200+ sample companies", n, err)
	}
	got, err := s.ByDomain(ctx, []string{"driftlabs.example"})
	if err != nil {
		t.Fatal(err)
	}
	if cs := got["driftlabs.example"]; len(cs) != 1 || cs[0].Source != companydata.SampleSource || cs[0].SizeMin != 11 {
		t.Fatalf("driftlabs.example = %+v, want the sample's Drift Labs, 11-50", cs)
	}
	if n, err := s.ImportSample(ctx, simple{}); err != nil || n != 0 {
		t.Errorf("second ImportSample = %d, %v; want 0: the store has data", n, err)
	}
}

// A small reference set is answered from memory: the same companies in the
// same order as the database gives, for names as given, misspelt, longer,
// shorter and unknown, at several limits; an import is seen at once.
func TestCandidatesFromMemory(t *testing.T) {
	ctx := context.Background()
	s, st := open(t)
	if _, err := s.ImportSample(ctx, simple{}); err != nil {
		t.Fatal(err)
	}
	extra := []string{"name,size", "acme,1-10", "ACME,1001-5000", "acme corp,11-50", "acme corporation,51-200", "acne,1-10", "été café,1-10"}
	if _, err := s.Import(ctx, writeFile(t, "c.csv", extra...), companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i, c := range all(t, st) {
		if i%5 != 0 && !strings.Contains(c.NameKey, "ac") {
			continue // a fifth of the sample, and the names above: enough, and quick under the race detector
		}
		k := c.NameKey
		keys = append(keys, k, k+" group", k[:len(k)/2], strings.Replace(k, "a", "", 1), strings.Replace(k, "e", "ee", 1))
	}
	keys = append(keys, "", "zzzz", "acmee", "ete cafe", "x")
	ids := func(cs []companydata.Company) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	ask := func() map[string][]string {
		out := map[string][]string{}
		for _, key := range keys {
			for _, limit := range []int{1, 20} {
				cs, err := s.Candidates(ctx, key, simple{}.Trigrams(key), limit)
				if err != nil {
					t.Fatal(err)
				}
				out[fmt.Sprintf("%q/%d", key, limit)] = ids(cs)
			}
		}
		return out
	}
	s.SetMemoryMax(0)
	want := ask()
	s.SetMemoryMax(100000)
	got := ask()
	found := 0
	for q, w := range want {
		if !reflect.DeepEqual(got[q], w) {
			t.Fatalf("Candidates(%s): from memory %q, from the database %q", q, got[q], w)
		}
		found += len(w)
	}
	if found == 0 {
		t.Fatal("no candidates at all: the comparison proves nothing")
	}
	if _, err := s.Import(ctx, writeFile(t, "d.csv", "name,domain", "Qorvexa,qorvexa.example"), companydata.FormatCSV, simple{}, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Candidates(ctx, "qorvexa", simple{}.Trigrams("qorvexa"), 1)
	if err != nil || len(cs) != 1 || cs[0].Domain != "qorvexa.example" {
		t.Fatalf("after an import: %+v, %v; want qorvexa.example", cs, err)
	}
}
