package processors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enricher/enricher/companydata"
	"github.com/enricher/enricher/internal/testenv"
	"github.com/enricher/enricher/processors/companymatch"
	"github.com/enricher/enricher/schema"
)

// labelled is a contact and the company domain it truly belongs to.
type labelled struct {
	contact schema.Contact
	domain  string
}

// accuracySet builds a reference file with deliberate namesakes (a bank, a
// hotel group and a lab beside a company of the same first words) and
// near-duplicates (Trading beside Traders), and contacts whose company
// names carry the usual noise: case, legal forms, a leading "The", a
// dropped letter, webmail addresses or none.
func accuracySet() (reference string, contacts []labelled) {
	adjectives := []string{"Northwind", "Granite", "Harbor", "Summit", "Cedar", "Aurora", "Ironwood", "Lumen", "Crescent", "Pioneer",
		"Evergreen", "Beacon", "Cobalt", "Falcon", "Juniper", "Meridian", "Quartz", "Sapphire", "Tundra", "Vantage"}
	nouns := []string{"Traders", "Analytics", "Robotics", "Foods", "Health", "Systems", "Energy", "Textiles"}
	var ref strings.Builder
	ref.WriteString("name,domain,size,locality,region,country,industry,linkedin_url,founded\n")
	add := func(name, domain string) {
		fmt.Fprintf(&ref, "%s,%s,51-200,austin,texas,united states,services,,2000\n", name, domain)
	}
	legal := []string{"Inc.", "LLC", "Ltd", "GmbH", "Corp."}
	n := 0
	for i, a := range adjectives {
		for j := 0; j < 4; j++ {
			noun := nouns[(i+j)%len(nouns)]
			name := a + " " + noun
			domain := strings.ToLower(a+noun) + ".com"
			add(name+" "+legal[n%len(legal)], domain)
			switch n % 6 {
			case 0: // namesakes that extend the name
				add(name+" Bank", strings.ToLower(a+noun)+"bank.com")
			case 1:
				add(name+" Hospitality Group", strings.ToLower(a+noun)+"hospitality.com")
			case 2: // a near-duplicate
				add(a+" "+strings.TrimSuffix(noun, "s")+"ing", strings.ToLower(a+noun)+"ing.com")
			}
			typo := name[:len(name)-2] + name[len(name)-1:] // a dropped letter
			variants := []schema.Contact{
				{Email: fmt.Sprintf("p%d@gmail.com", n), Company: name + " " + legal[(n+1)%len(legal)]},
				{Email: fmt.Sprintf("q%d@yahoo.com", n), Company: "The " + strings.ToUpper(name)},
				{Email: fmt.Sprintf("r%d@outlook.com", n), Company: typo},
				{Email: fmt.Sprintf("s%d@%s", n, domain), Company: ""},
				{Email: "", Company: strings.ToLower(name) + ", inc"},
			}
			for _, v := range variants {
				contacts = append(contacts, labelled{contact: v, domain: domain})
			}
			n++
		}
	}
	return ref.String(), contacts
}

// TestCompanyAccuracy measures precision and recall of the company domain
// on a labelled set: precision must be at least 0.97; where the resolver
// cannot tell it must say ambiguous or not found, not guess.
func TestCompanyAccuracy(t *testing.T) {
	ref, set := accuracySet()
	if len(set) < 200 {
		t.Fatalf("only %d labelled contacts", len(set))
	}
	ctx := context.Background()
	st := testenv.Store(t)
	path := filepath.Join(t.TempDir(), "ref.csv")
	if err := os.WriteFile(path, []byte(ref), 0o644); err != nil {
		t.Fatal(err)
	}
	data := companydata.New(st.DB())
	if _, err := data.Import(ctx, path, companydata.FormatCSV, companymatch.Keys{}, nil); err != nil {
		t.Fatal(err)
	}
	c := &Companies{Data: data}
	contacts := make([]schema.Contact, len(set))
	emails := make([]*schema.EmailResult, len(set))
	for i, l := range set {
		contacts[i] = l.contact
		emails[i] = checked(l.contact.Email)
	}
	got := c.Resolve(ctx, contacts, emails)
	answered, right := 0, 0
	var wrong []string
	for i, r := range got {
		if r.Status != schema.CompanyMatched || r.Domain == "" {
			continue
		}
		answered++
		if r.Domain == set[i].domain {
			right++
		} else {
			wrong = append(wrong, fmt.Sprintf("%q <%s> → %s (want %s, by %s)", set[i].contact.Company, set[i].contact.Email, r.Domain, set[i].domain, r.Method))
		}
	}
	precision := float64(right) / float64(answered)
	recall := float64(right) / float64(len(set))
	t.Logf("%d labelled contacts: %d answered, %d right: precision %.3f, recall %.3f", len(set), answered, right, precision, recall)
	if precision < 0.97 {
		t.Errorf("precision %.3f < 0.97; wrong answers:\n%s", precision, strings.Join(wrong, "\n"))
	}
	if recall < 0.65 {
		t.Errorf("recall %.3f: the resolver answers too little", recall)
	}
}
