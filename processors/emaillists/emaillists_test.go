package emaillists

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func TestDisposable(t *testing.T) {
	l := Default()
	tests := []struct {
		domain string
		want   bool
	}{
		{"mailinator.com", true},
		{"x.mailinator.com", true},
		{"a.b.mailinator.com", true},
		{"MAILINATOR.COM.", true},
		{" yopmail.com ", true},
		{"0815.ru", true},
		// Entries under a private public suffix (dynv6.net, ddnss.de).
		{"0-mailer.dynv6.net", true},
		{"x.0-mailer.dynv6.net", true},
		{"other.dynv6.net", false},
		{"dynv6.net", false},
		{"000webmail.ddnss.de", true},
		{"ddnss.de", false},
		// Lookalikes and parents that are not listed.
		{"mailinatorx.org", false},
		{"mailinator.com.evil.org", false},
		{"com", false},
		{"gmail.com", false},
		{"example.com", false},
		{"", false},
		{".", false},
	}
	for _, tt := range tests {
		if got := l.Disposable(tt.domain); got != tt.want {
			t.Errorf("Disposable(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestFree(t *testing.T) {
	l := Default()
	tests := []struct {
		domain string
		want   bool
	}{
		{"gmail.com", true},
		{"googlemail.com", true},
		{"yahoo.co.uk", true},
		{"gmx.de", true},
		{"web.de", true},
		{"hotmail.com", true},
		{"outlook.com", true},
		{"icloud.com", true},
		{"comcast.net", true},
		{"t-online.de", true},
		{"orange.fr", true},
		{"qq.com", true},
		{"mail.ru", true},
		{"protonmail.com", true},
		{"GMAIL.COM.", true},
		// From free_extra.txt.
		{"fastmail.com", true},
		{"tutanota.com", true},
		{"xs4all.nl", true},
		// Not free: company, disposable and relay domains, public suffixes.
		{"example.com", false},
		{"acme.co.uk", false},
		{"mailinator.com", false},
		{"privaterelay.appleid.com", false},
		{"co.uk", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Free(tt.domain); got != tt.want {
			t.Errorf("Free(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestRelay(t *testing.T) {
	l := Default()
	tests := []struct {
		domain string
		want   bool
	}{
		{"privaterelay.appleid.com", true},
		{"appleid.com", false},
		{"duck.com", true},
		{"mozmail.com", true},
		{"relay.firefox.com", true},
		{"firefox.com", false},
		{"simplelogin.com", true},
		{"simplelogin.co", true},
		{"simplelogin.fr", true},
		{"x.simplelogin.co", true},
		{"simplelogin.co.uk", true},
		{"notsimplelogin.com", false},
		{"slmail.me", true},
		{"anonaddy.com", true},
		{"jane.anonaddy.me", true},
		{"addy.io", true},
		{"jane.addy.io", true},
		{"gmail.com", false},
		{"mailinator.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Relay(tt.domain); got != tt.want {
			t.Errorf("Relay(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestOverrides(t *testing.T) {
	base := Default()
	l := base.With(Overrides{
		Allow: []string{"mailinator.com", " @GMAIL.COM. ", "ok.bad.example"},
		Deny:  []string{"*.bad.example", "competitor.com", "mailinator.com", ""},
	})
	tests := []struct {
		domain                                       string
		allowed, denied, disposable, free, relayable bool
	}{
		{domain: "mailinator.com", allowed: true},
		{domain: "x.mailinator.com", allowed: true},
		{domain: "yopmail.com", disposable: true},
		{domain: "gmail.com", allowed: true},
		{domain: "yahoo.com", free: true},
		{domain: "bad.example", denied: true},
		{domain: "mx.bad.example", denied: true},
		{domain: "ok.bad.example", allowed: true},
		{domain: "Competitor.COM", denied: true},
		{domain: "competitor.co", denied: false},
		{domain: "duck.com", relayable: true},
		{domain: "example.com"},
	}
	for _, tt := range tests {
		if got := l.Allowed(tt.domain); got != tt.allowed {
			t.Errorf("Allowed(%q) = %v, want %v", tt.domain, got, tt.allowed)
		}
		if got := l.Denied(tt.domain); got != tt.denied {
			t.Errorf("Denied(%q) = %v, want %v", tt.domain, got, tt.denied)
		}
		if got := l.Disposable(tt.domain); got != tt.disposable {
			t.Errorf("Disposable(%q) = %v, want %v", tt.domain, got, tt.disposable)
		}
		if got := l.Free(tt.domain); got != tt.free {
			t.Errorf("Free(%q) = %v, want %v", tt.domain, got, tt.free)
		}
		if got := l.Relay(tt.domain); got != tt.relayable {
			t.Errorf("Relay(%q) = %v, want %v", tt.domain, got, tt.relayable)
		}
	}

	// The receiver is not modified.
	if !base.Disposable("mailinator.com") || base.Allowed("mailinator.com") || base.Denied("competitor.com") {
		t.Error("With modified its receiver")
	}
	// Overrides accumulate.
	l2 := l.With(Overrides{Deny: []string{"other.org"}})
	if !l2.Denied("other.org") || !l2.Denied("competitor.com") || !l2.Allowed("gmail.com") {
		t.Error("With did not keep earlier overrides")
	}
	if l.Denied("other.org") {
		t.Error("With modified its receiver's overrides")
	}
}

func TestRole(t *testing.T) {
	l := Default()
	tests := []struct {
		local string
		want  bool
	}{
		// RFC 2142.
		{"info", true},
		{"marketing", true},
		{"sales", true},
		{"support", true},
		{"abuse", true},
		{"noc", true},
		{"security", true},
		{"postmaster", true},
		{"hostmaster", true},
		{"usenet", true},
		{"news", true},
		{"webmaster", true},
		{"www", true},
		{"uucp", true},
		{"ftp", true},
		// Common role names.
		{"admin", true},
		{"contact", true},
		{"hello", true},
		{"office", true},
		{"billing", true},
		{"careers", true},
		{"jobs", true},
		{"hr", true},
		{"team", true},
		{"help", true},
		// Case, tags and separators.
		{"INFO", true},
		{"Support+eu", true},
		{"noreply", true},
		{"no-reply", true},
		{"no.reply", true},
		{"No_Reply", true},
		{"do-not-reply", true},
		{"donotreply", true},
		{"noreply-billing", true},
		{"no-reply+123", true},
		{"mailer-daemon", true},
		{"MAILER-DAEMON", true},
		{"customer.service", true},
		{"contact-us", true},
		{"contactus", true},
		{" info ", true},
		// Personal names and near misses.
		{"jane", false},
		{"jane.doe", false},
		{"information", false},
		{"infos1", false},
		{"salesforce", false},
		{"+info", false},
		{"", false},
		{"...", false},
		{strings.Repeat("info", 40), false},
	}
	for _, tt := range tests {
		if got := l.Role(tt.local); got != tt.want {
			t.Errorf("Role(%q) = %v, want %v", tt.local, got, tt.want)
		}
	}
}

func TestAlias(t *testing.T) {
	l := Default()
	tests := []struct {
		local, domain string
		base          string
		ok            bool
	}{
		{"jane+news", "example.com", "jane@example.com", true},
		{"jane+", "example.com", "jane@example.com", true},
		{"jane+a+b", "Example.COM.", "jane@example.com", true},
		{"Jane", "example.com", "Jane@example.com", false},
		{"jane.doe", "example.com", "jane.doe@example.com", false},
		{"+news", "example.com", "+news@example.com", false},
		{"jane.doe", "gmail.com", "janedoe@gmail.com", true},
		{"J.a.n.e+x", "gmail.com", "jane@gmail.com", true},
		{"Jane", "gmail.com", "jane@gmail.com", false},
		{"jane", "googlemail.com", "jane@gmail.com", true},
		{"jane.doe", "googlemail.com", "janedoe@gmail.com", true},
		{"...", "gmail.com", "...@gmail.com", false},
		{`"jane+x"`, "example.com", `"jane+x"@example.com`, false},
		{"", "example.com", "", false},
		{"jane", "", "", false},
	}
	for _, tt := range tests {
		base, ok := l.Alias(tt.local, tt.domain)
		if base != tt.base || ok != tt.ok {
			t.Errorf("Alias(%q, %q) = %q, %v; want %q, %v", tt.local, tt.domain, base, ok, tt.base, tt.ok)
		}
	}
}

func TestVersions(t *testing.T) {
	v := Default().Versions()
	tests := []struct {
		name, got, prefix string
	}{
		{"Disposable", v.Disposable, "disposable-email-domains "},
		{"Free", v.Free, "email-providers "},
	}
	for _, tt := range tests {
		if !strings.HasPrefix(tt.got, tt.prefix) || len(tt.got) <= len(tt.prefix) {
			t.Errorf("Versions().%s = %q, want %q followed by a version", tt.name, tt.got, tt.prefix)
		}
	}
	if !strings.Contains(v.Free, "free_extra ") {
		t.Errorf("Versions().Free = %q, want the free_extra version too", v.Free)
	}
}

// count returns how many entries of m are in the list k.
func count(m map[string]kinds, k kinds) int {
	n := 0
	for _, v := range m {
		if v&k != 0 {
			n++
		}
	}
	return n
}

func TestSizes(t *testing.T) {
	l := Default()
	tests := []struct {
		name string
		got  int
		min  int
	}{
		{"disposable", count(l.domains.exact, kindDisposable), 5000},
		{"free", count(l.domains.exact, kindFree), 3000},
		{"relay", count(l.domains.exact, kindRelay) + count(l.domains.labels, kindRelay), 10},
		{"role", len(l.roles) + len(l.rolePrefix), 50},
	}
	for _, tt := range tests {
		if tt.got < tt.min {
			t.Errorf("%s list has %d entries, want at least %d", tt.name, tt.got, tt.min)
		}
		t.Logf("%s: %d entries", tt.name, tt.got)
	}
}

// TestPublicSuffixEntries checks that a list entry that is itself a public
// suffix never matches, and that one directly under a suffix matches only
// itself and its subdomains.
func TestPublicSuffixEntries(t *testing.T) {
	fsys := fstest.MapFS{
		fileDisposable: {Data: []byte("# source: test 1\nco.uk\ndynv6.net\nbox.dynv6.net\nMixed.Example.Org.\nMixed.Case.Org.\nreserved.example.com\n")},
		fileFree:       {Data: []byte("# source: testfree 2\nfree.org\nfree.example.org\nbox.dynv6.net\nexample.com\nx.test\n")},
		fileFreeExtra:  {Data: []byte("# source: extra 3\n")},
		fileRelay:      {Data: []byte("# source: relay 4\nfwd.*\n")},
		fileRole:       {Data: []byte("# source: role 5\ninfo\nno-reply*\n")},
	}
	l, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fn     func(string) bool
		domain string
		want   bool
	}{
		{"Disposable", l.Disposable, "co.uk", false},
		{"Disposable", l.Disposable, "acme.co.uk", false},
		{"Disposable", l.Disposable, "dynv6.net", false},
		{"Disposable", l.Disposable, "other.dynv6.net", false},
		{"Disposable", l.Disposable, "box.dynv6.net", true},
		{"Disposable", l.Disposable, "a.box.dynv6.net", true},
		{"Disposable", l.Disposable, "mixed.example.org", false}, // reserved
		{"Disposable", l.Disposable, "reserved.example.com", false},
		{"Disposable", l.Disposable, "mixed.case.org", true},
		{"Free", l.Free, "free.org", true},
		{"Free", l.Free, "free.example.org", false},
		{"Free", l.Free, "example.com", false},
		{"Free", l.Free, "x.test", false},
		{"Free", l.Free, "box.dynv6.net", false}, // disposable wins
		{"Relay", l.Relay, "fwd.org", true},
		{"Relay", l.Relay, "fwd.co.uk", true},
		{"Relay", l.Relay, "a.fwd.org", true},
		{"Relay", l.Relay, "fwd.acme.org", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.domain); got != tt.want {
			t.Errorf("%s(%q) = %v, want %v", tt.name, tt.domain, got, tt.want)
		}
	}
	if v := l.Versions(); v.Disposable != "test 1" || v.Free != "testfree 2 + extra 3" {
		t.Errorf("Versions() = %+v", v)
	}
}

func TestLoadErrors(t *testing.T) {
	good := fstest.MapFS{
		fileDisposable: {Data: []byte("# source: a 1\n")},
		fileFree:       {Data: []byte("# source: b 1\n")},
		fileFreeExtra:  {Data: []byte("# source: c 1\n")},
		fileRelay:      {Data: []byte("# source: d 1\n")},
		fileRole:       {Data: []byte("# source: e 1\n")},
	}
	tests := []struct {
		name string
		file string
		data string // "" removes the file
	}{
		{"missing file", fileRelay, ""},
		{"missing header", fileDisposable, "mailinator.com\n"},
		{"header without version", fileFree, "# source: b\n"},
		{"bad role", fileRole, "# source: e 1\n-._\n"},
	}
	for _, tt := range tests {
		fsys := fstest.MapFS{}
		for k, v := range good {
			fsys[k] = v
		}
		if tt.data == "" {
			delete(fsys, tt.file)
		} else {
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
		}
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: load succeeded, want error", tt.name)
		}
	}
	if _, err := load(good); err != nil {
		t.Errorf("load(good) = %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := Default().With(Overrides{Allow: []string{"yopmail.com"}})
			if !l.Disposable("mailinator.com") || l.Disposable("yopmail.com") || !l.Role("info") {
				t.Error("unexpected result")
			}
		}()
	}
	wg.Wait()
}

// Kinds answers what Disposable, Free and Relay answer.
func TestKinds(t *testing.T) {
	l := Default().With(Overrides{Allow: []string{"sub.mailinator.com"}})
	for _, d := range []string{"mailinator.com", "x.mailinator.com", "sub.mailinator.com", "a.sub.mailinator.com", "gmail.com", "GMAIL.com.",
		"yahoo.co.uk", "duck.com", "x.simplelogin.co.uk", "simplelogin.com", "acme.com", "co.uk", "com", "", "alder7.test"} {
		disposable, free, relay := l.Kinds(d)
		if disposable != l.Disposable(d) || free != l.Free(d) || relay != l.Relay(d) {
			t.Errorf("Kinds(%q) = %v %v %v; Disposable, Free and Relay say %v %v %v", d, disposable, free, relay, l.Disposable(d), l.Free(d), l.Relay(d))
		}
	}
	if d, f, r := l.Kinds("x.mailinator.com"); !d || f || r {
		t.Errorf("x.mailinator.com: %v %v %v", d, f, r)
	}
	if d, f, r := l.Kinds("yahoo.co.uk"); d || !f || r {
		t.Errorf("yahoo.co.uk: %v %v %v", d, f, r)
	}
}

// BenchmarkKinds asks all three lists of a work domain, the common case.
func BenchmarkKinds(b *testing.B) {
	l := Default()
	domains := []string{"alder7.test", "meridian90.test", "acme.co.uk", "gmail.com"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Kinds(domains[i%len(domains)])
	}
}

func BenchmarkDisposable(b *testing.B) {
	l := Default()
	domains := []string{"x.mailinator.com", "gmail.com", "acme.co.uk", "mail.example.org"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Disposable(domains[i%len(domains)])
	}
}

func BenchmarkFree(b *testing.B) {
	l := Default()
	domains := []string{"gmail.com", "yahoo.co.uk", "acme.com", "mail.example.org"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Free(domains[i%len(domains)])
	}
}

func BenchmarkRelay(b *testing.B) {
	l := Default()
	domains := []string{"privaterelay.appleid.com", "simplelogin.co", "acme.com"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Relay(domains[i%len(domains)])
	}
}

func BenchmarkDenied(b *testing.B) {
	l := Default().With(Overrides{Allow: []string{"ok.example"}, Deny: []string{"bad.example"}})
	domains := []string{"x.bad.example", "ok.example", "acme.com"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Denied(domains[i%len(domains)])
	}
}

func BenchmarkRole(b *testing.B) {
	l := Default()
	locals := []string{"info", "No-Reply+x", "jane.doe", "noreply-billing"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Role(locals[i%len(locals)])
	}
}

func BenchmarkAlias(b *testing.B) {
	l := Default()
	b.ReportAllocs()
	for b.Loop() {
		l.Alias("j.ane+news", "gmail.com")
	}
}
