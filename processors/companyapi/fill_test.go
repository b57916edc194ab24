package companyapi

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
)

// fakeProvider answers every lookup with one company or error, counting
// calls.
type fakeProvider struct {
	name  string
	c     Company
	err   error
	off   bool
	calls int
}

func (p *fakeProvider) Name() string     { return p.name }
func (p *fakeProvider) configured() bool { return !p.off }
func (p *fakeProvider) Lookup(ctx context.Context, domain string) (Company, error) {
	p.calls++
	if p.err != nil {
		return Company{}, p.err
	}
	return p.c, nil
}

var (
	full = Company{Name: "Acme", Domain: "acme.com", Industry: "software", LinkedIn: "linkedin.com/company/acme",
		Locality: "berlin", Region: "berlin", Country: "germany", SizeText: "51-200", Founded: 2001}
	partial = Company{Name: "acme", Domain: "acme.com", Industry: "computer software", SizeText: "11-50"}
	other   = Company{Name: "Acme GmbH", Domain: "acme.de", Industry: "Software", LinkedIn: "linkedin.com/company/acme-gmbh",
		Locality: "Munich", Region: "Bavaria", Country: "Germany", SizeText: "51-250", Founded: 1999}
	allFields = []Field{FieldName, FieldIndustry, FieldSize, FieldLocation, FieldLinkedIn, FieldFounded}
)

func TestFill(t *testing.T) {
	tests := []struct {
		name      string
		first     fakeProvider
		second    fakeProvider
		budget    int
		missing   []Field
		want      Company
		from      map[Field]string
		calls     [2]int
		wantErr   []error
		budgetEnd int
	}{
		{
			name:   "first has everything, second never asked",
			first:  fakeProvider{c: full},
			second: fakeProvider{c: other},
			budget: 5, missing: allFields,
			want:  full,
			from:  fromAll("a"),
			calls: [2]int{1, 0}, budgetEnd: 4,
		},
		{
			name:   "second asked only for what the first lacked",
			first:  fakeProvider{c: partial},
			second: fakeProvider{c: other},
			budget: 5, missing: allFields,
			want: Company{Name: "acme", Domain: "acme.com", Industry: "computer software", SizeText: "11-50",
				LinkedIn: "linkedin.com/company/acme-gmbh", Locality: "Munich", Region: "Bavaria", Country: "Germany", Founded: 1999},
			from: map[Field]string{FieldName: "a", FieldIndustry: "a", FieldSize: "a",
				FieldLinkedIn: "b", FieldLocation: "b", FieldFounded: "b"},
			calls: [2]int{1, 1}, budgetEnd: 3,
		},
		{
			name:   "only the missing fields are taken",
			first:  fakeProvider{c: partial},
			second: fakeProvider{c: other},
			budget: 5, missing: []Field{FieldSize},
			want:  Company{Domain: "acme.com", SizeText: "11-50"},
			from:  map[Field]string{FieldSize: "a"},
			calls: [2]int{1, 0}, budgetEnd: 4,
		},
		{
			name:   "nothing missing, nobody asked",
			first:  fakeProvider{c: full},
			second: fakeProvider{c: other},
			budget: 5, missing: nil,
			want:  Company{Domain: "acme.com"},
			from:  map[Field]string{},
			calls: [2]int{0, 0}, budgetEnd: 5,
		},
		{
			name:   "first has no record",
			first:  fakeProvider{err: errors.Join(errors.New("HTTP 404"), ErrNotFound)},
			second: fakeProvider{c: other},
			budget: 5, missing: []Field{FieldFounded},
			want:  Company{Domain: "acme.de", Founded: 1999},
			from:  map[Field]string{FieldFounded: "b"},
			calls: [2]int{1, 1}, budgetEnd: 3,
		},
		{
			name:   "first unauthorized, second still asked, error kept",
			first:  fakeProvider{err: ErrUnauthorized},
			second: fakeProvider{c: other},
			budget: 5, missing: []Field{FieldName},
			want:  Company{Domain: "acme.de", Name: "Acme GmbH"},
			from:  map[Field]string{FieldName: "b"},
			calls: [2]int{1, 1}, budgetEnd: 3, wantErr: []error{ErrUnauthorized},
		},
		{
			name:   "unconfigured provider skipped without spending",
			first:  fakeProvider{c: full, off: true},
			second: fakeProvider{c: other},
			budget: 1, missing: []Field{FieldName},
			want:  Company{Domain: "acme.de", Name: "Acme GmbH"},
			from:  map[Field]string{FieldName: "b"},
			calls: [2]int{0, 1}, budgetEnd: 0,
		},
		{
			name:   "budget exhausted stops calls",
			first:  fakeProvider{c: partial},
			second: fakeProvider{c: other},
			budget: 1, missing: []Field{FieldName, FieldFounded},
			want:  Company{Domain: "acme.com", Name: "acme"},
			from:  map[Field]string{FieldName: "a"},
			calls: [2]int{1, 0}, budgetEnd: 0, wantErr: []error{ErrBudgetExhausted},
		},
		{
			name:   "empty budget calls nobody",
			first:  fakeProvider{c: full},
			second: fakeProvider{c: other},
			budget: 0, missing: []Field{FieldName},
			want:  Company{Domain: "acme.com"},
			from:  map[Field]string{},
			calls: [2]int{0, 0}, budgetEnd: 0, wantErr: []error{ErrBudgetExhausted},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.first, tt.second
			a.name, b.name = "a", "b"
			budget := NewBudget(tt.budget)
			got, from, err := Fill(t.Context(), []Provider{&a, &b}, budget, "acme.com", tt.missing)
			if got != tt.want {
				t.Errorf("company\n got %+v\nwant %+v", got, tt.want)
			}
			if !reflect.DeepEqual(from, tt.from) {
				t.Errorf("sources = %v, want %v", from, tt.from)
			}
			if calls := [2]int{a.calls, b.calls}; calls != tt.calls {
				t.Errorf("calls = %v, want %v", calls, tt.calls)
			}
			if left := budget.Left(); left != tt.budgetEnd {
				t.Errorf("budget left %d, want %d", left, tt.budgetEnd)
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Errorf("err = %v", err)
			}
			for _, w := range tt.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
		})
	}
}

func fromAll(name string) map[Field]string {
	m := make(map[Field]string)
	for _, f := range allFields {
		m[f] = name
	}
	return m
}

func TestFillUnknownField(t *testing.T) {
	p := &fakeProvider{name: "a", c: full}
	if _, _, err := Fill(t.Context(), []Provider{p}, nil, "acme.com", []Field{"revenue"}); err == nil {
		t.Error("no error for an unknown field")
	}
	if p.calls != 0 {
		t.Errorf("%d calls", p.calls)
	}
}

// TestFillHTTP runs Fill over both real providers against test servers:
// PDL lacks the founding year and LinkedIn page, so Clearbit is asked once.
func TestFillHTTP(t *testing.T) {
	pdlSrv := newServer(t, body(`{"status":200,"likelihood":7,"name":"acme","display_name":"Acme",
		"website":"acme.com","industry":"computer software","size":"51-200","founded":null,"linkedin_url":null,
		"location":{"locality":"berlin","region":"berlin","country":"germany"}}`))
	cbSrv := newServer(t, body(clearbitStripe))
	clk := newClock()
	ps := []Provider{NewPDL(config(pdlSrv, clk)), NewClearbit(config(cbSrv, clk))}
	got, from, err := Fill(t.Context(), ps, NewBudget(10), "acme.com", allFields)
	if err != nil {
		t.Fatal(err)
	}
	want := Company{Name: "Acme", Domain: "acme.com", Industry: "computer software", SizeText: "51-200",
		Locality: "berlin", Region: "berlin", Country: "germany",
		LinkedIn: "linkedin.com/company/stripe", Founded: 2010}
	if got != want {
		t.Errorf("company\n got %+v\nwant %+v", got, want)
	}
	wantFrom := map[Field]string{FieldName: "people_data_labs", FieldIndustry: "people_data_labs",
		FieldSize: "people_data_labs", FieldLocation: "people_data_labs",
		FieldLinkedIn: "clearbit", FieldFounded: "clearbit"}
	if !reflect.DeepEqual(from, wantFrom) {
		t.Errorf("sources = %v, want %v", from, wantFrom)
	}
	if a, b := pdlSrv.n.Load(), cbSrv.n.Load(); a != 1 || b != 1 {
		t.Errorf("requests: pdl %d, clearbit %d; want 1 each", a, b)
	}
}

func TestBudget(t *testing.T) {
	b := NewBudget(100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if b.Take() {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if taken != 100 || b.Left() != 0 || b.Take() {
		t.Errorf("taken %d, left %d", taken, b.Left())
	}
	var unlimited *Budget
	if !unlimited.Take() || unlimited.Left() != -1 {
		t.Error("nil Budget is not unlimited")
	}
	if NewBudget(-3).Take() {
		t.Error("negative budget allowed a call")
	}
}
