package companymatch

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Apple Inc.", "apple"},
		{"Apple, Inc", "apple"},
		{"The Home Depot", "home depot"},
		{"Home Depot, Inc.", "home depot"},
		{"Johnson & Johnson", "johnson and johnson"},
		{"Johnson and Johnson", "johnson and johnson"},
		{"Société Générale S.A.", "societe generale"},
		{"societe generale", "societe generale"},
		{"Straße AG", "strasse"},
		{"Nestlé S.A.", "nestle"},
		{"McDonald's Corporation", "mcdonalds"},
		{"  Acme   Widgets   LLC ", "acme widgets"},
		{"Acme L.L.C.", "acme"},
		{"Acme Limited", "acme"},
		{"Acme Corp.", "acme"},
		{"Acme Co., Ltd.", "acme"},
		{"Acme Company", "acme"},
		{"Acme Holdings GmbH & Co. KG", "acme holdings"},
		{"Acme B.V.", "acme"},
		{"Acme N.V.", "acme"},
		{"Acme S.A.S.", "acme"},
		{"Acme SARL", "acme"},
		{"Acme Pty Ltd", "acme"},
		{"Acme Pty. Ltd.", "acme"},
		{"Acme PLC", "acme"},
		{"Acme Oy", "acme"},
		{"Acme AB", "acme"},
		{"Acme AS", "acme"},
		{"Acme A/S", "acme"},
		{"Acme ApS", "acme"},
		{"Fiat S.p.A.", "fiat"},
		{"Acme SRL", "acme"},
		{"Acme KK", "acme"},
		{"Acme Sdn. Bhd.", "acme"},
		{"Acme Sp. z o.o.", "acme"},
		{"Acme S.à r.l.", "acme"},
		{"Anheuser-Busch InBev SA/NV", "anheuser busch inbev"},
		{"E.ON SE", "eon"},
		{"U.S. Bank", "us bank"},
		{"İş Bankası A.Ş.", "is bankasi"},
		// Short names keep their letters and digits.
		{"3M Company", "3m"},
		{"HP Inc.", "hp"},
		{"GE", "ge"},
		// Non-Latin scripts are kept, never emptied.
		{"株式会社トヨタ", "トヨタ"},
		{"トヨタ自動車株式会社", "トヨタ自動車"},
		{"(株)トヨタ", "トヨタ"},
		{"ＴＯＹＯＴＡ", "toyota"}, // NFKC folds full-width letters
		{"Яндекс", "яндекс"},
		{"ООО «Яндекс»", "яндекс"},
		{"Лукойл ПАО", "лукойл"},
		{"삼성전자 주식회사", "삼성전자"},
		// A legal form alone, or "the" alone, stays.
		{"Inc.", "inc"},
		{"L.L.C.", "llc"},
		{"The", "the"},
		{"株式会社", "株式会社"},
		{"", ""},
		{" !!! ", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, s := range []string{"The Home Depot, Inc.", "Société Générale S.A.", "株式会社トヨタ", "ООО «Яндекс»", "Acme Co., Ltd."} {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", s, twice, once)
		}
	}
}

func TestTrigrams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"hp", []string{"  h", " hp", "hp "}},
		{"ge ge", []string{"  g", " ge", "ge "}},
		{"яд", []string{"  я", " яд", "яд "}},
		{"a bc", []string{"  a", "  b", " a ", " bc", "bc "}},
	}
	for _, tt := range tests {
		if got := Trigrams(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Trigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
