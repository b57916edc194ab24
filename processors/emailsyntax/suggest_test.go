package emailsyntax

import "testing"

func TestSuggest(t *testing.T) {
	tests := []struct {
		domain    string
		want      string
		knownTypo bool
	}{
		// Required positives.
		{"gmial.com", "gmail.com", true},
		{"hotmial.com", "hotmail.com", true},
		{"yajoo.com", "yahoo.com", true},
		{"gmai.com", "gmail.com", true},
		{"outlok.com", "outlook.com", true},
		{"gmail.con", "gmail.com", true},
		{"gmail.cm", "gmail.com", true},
		{"gmal.com", "gmail.com", true},
		{"gamil.com", "gmail.com", true},
		{"gnail.com", "gmail.com", true},
		{"hotmal.com", "hotmail.com", true},
		{"yahooo.com", "yahoo.com", true},
		{"yaho.com", "yahoo.com", true},
		{"GMIAL.COM", "gmail.com", true},
		{"john@gmial.com", "gmail.com", true},
		{"gmailcom", "gmail.com", true},
		// Close but not in the curated list.
		{"gmaul.com", "gmail.com", false},
		{"hotmaul.com", "hotmail.com", false},
		{"homail.cpm", "hotmail.com", false},
		{"outlouk.com", "outlook.com", false},
		{"protonmali.com", "protonmail.com", false},
		{"btinternett.com", "btinternet.com", false},
		{"yahoo.co.uj", "yahoo.co.uk", false},
		{"hotmail.co.ukk", "hotmail.co.uk", false},
		{"liev.com", "live.com", false},
		{"aol.cmo", "aol.com", false},
		{"qq.vom", "qq.com", false},
		{"163.cpm", "163.com", false},
		{"web.dr", "web.de", false},
		{"gmail.cam", "gmail.com", false},
		{"comcast.ne", "comcast.net", false},
		{"outlookcom", "outlook.com", false},
		// Never.
		{"acme.com", "", false},
		{"ibm.com", "", false},
		{"me.com", "", false},
		{"gmx.com", "", false},
		{"aol.com", "", false},
		{"aim.com", "", false},
		{"mail.com", "", false},
		{"email.com", "", false},
		{"love.com", "", false},
		{"life.com", "", false},
		{"mic.com", "", false},
		{"gmx.dk", "", false},
		{"gmail.de", "", false},
		{"yahoo.co.jp", "", false},
		{"hotmail.de", "", false},
		{"126.com", "", false},
		{"example.com", "", false},
		{"enricher.io", "", false},
		{"gmail", "", false},
		{"", "", false},
		{"mail.gmail.com", "", false},
	}
	for _, tt := range tests {
		got, known := Suggest(tt.domain)
		if got != tt.want || known != tt.knownTypo {
			t.Errorf("Suggest(%q) = %q, %v; want %q, %v", tt.domain, got, known, tt.want, tt.knownTypo)
		}
	}
}

// TestClosestWithoutList checks that the distance rule alone, without the
// curated list, finds the common typos.
func TestClosestWithoutList(t *testing.T) {
	for in, want := range map[string]string{
		"gmial.com": "gmail.com", "hotmial.com": "hotmail.com", "yajoo.com": "yahoo.com",
		"gmai.com": "gmail.com", "outlok.com": "outlook.com", "gmail.con": "gmail.com",
		"gmail.cm": "gmail.com", "homail.con": "hotmail.com", "gmailc.om": "gmail.com",
		"acme.com": "", "ibm.com": "", "me.com": "", "gmx.com": "", "aol.com": "",
	} {
		if got := closest(in); got != want {
			t.Errorf("closest(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestProvidersNeverSuggested(t *testing.T) {
	for _, d := range providers {
		if s, _ := Suggest(d); s != "" {
			t.Errorf("Suggest(%q) = %q; want none for a provider", d, s)
		}
	}
	for d := range realDomains {
		if s, _ := Suggest(d); s != "" {
			t.Errorf("Suggest(%q) = %q; want none for a real domain", d, s)
		}
	}
	for typo, p := range knownTypos {
		if !isProvider[p] {
			t.Errorf("knownTypos[%q] = %q is not a provider", typo, p)
		}
		if isProvider[typo] || realDomains[typo] {
			t.Errorf("known typo %q is also a real domain", typo)
		}
	}
}

func TestOSA(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"gmail", "gmail", 0},
		{"gmial", "gmail", 1}, // transposition
		{"gmai", "gmail", 1},
		{"yajoo", "yahoo", 1},
		{"ca", "abc", 3}, // OSA, not unrestricted Damerau (which gives 2)
		{"kitten", "sitting", 3},
		{"acme", "mac", 3},
		{"ibm", "aim", 2},
		{"münchen", "munchen", 1},
	}
	for _, tt := range tests {
		if got := osa(tt.a, tt.b); got != tt.want {
			t.Errorf("osa(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := osa(tt.b, tt.a); got != tt.want {
			t.Errorf("osa(%q, %q) = %d; want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestKnownTypo(t *testing.T) {
	tests := []struct {
		in, want string
		known    bool
	}{
		{"gmial.com", "gmail.com", true},
		{"Jane@GMIAL.com.", "gmail.com", true},
		{"gmailx.com", "", false}, // close to gmail.com, but not a listed slip: only Suggest finds it
		{"gmail.com", "", false},
		{"example.test", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, known := KnownTypo(tt.in)
		if got != tt.want || known != tt.known {
			t.Errorf("KnownTypo(%q) = %q, %v; want %q, %v", tt.in, got, known, tt.want, tt.known)
		}
		if known {
			if s, k := Suggest(tt.in); s != got || !k {
				t.Errorf("Suggest(%q) = %q, %v; KnownTypo said %q", tt.in, s, k, got)
			}
		}
	}
}
