package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/enricher/enricher/internal/dnstest"
	"github.com/enricher/enricher/internal/smtptest"
	"github.com/enricher/enricher/schema"
)

// verify-email against a DNS and an SMTP server on loopback: what support
// staff would run, and the engine on its own.
func TestVerifyEmailCommand(t *testing.T) {
	smtp, err := smtptest.Start(smtptest.Script{Rcpt: func(rcpt string, attempt int) string {
		switch {
		case strings.HasPrefix(rcpt, "jane@"):
			return "250 2.1.5 OK"
		case strings.HasPrefix(rcpt, "blocked@"):
			return "554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org"
		}
		return "550 5.1.1 no such user"
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer smtp.Close()
	// acme.test's MX host is an address literal; named.test's is a name
	// that only this DNS server knows, so the probe must ask it.
	dns, err := dnstest.Start(dnstest.Zone{
		"acme.test":     {MX: []dnstest.MX{{Pref: 10, Host: "127.0.0.1"}}},
		"named.test":    {MX: []dnstest.MX{{Pref: 10, Host: "mx.named.test"}}},
		"mx.named.test": {A: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		"nullmx.test":   {MX: []dnstest.MX{{Pref: 0, Host: "."}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	args := []string{"verify-email", "--dns-server", dns.Addr(), "--allow-special-use", "--smtp", "--smtp-port", strconv.Itoa(smtp.Port()),
		"--smtp-helo", "probe.enricher.test", "--smtp-from", "probe@enricher.test"}

	tests := []struct{ in, status, reason string }{
		{"jane@acme.test", "valid", "accepted_email"},
		{"gone@acme.test", "invalid", "mailbox_not_found"},
		{"jane@named.test", "valid", "accepted_email"},
		{"blocked@acme.test", "unknown", "antispam_system"},
		{"x@nullmx.test", "invalid", "does_not_accept_mail"},
		{"x@missing.test", "invalid", "no_dns_entries"},
		{"not an address", "invalid", "failed_syntax_check"},
	}
	var stdin bytes.Buffer
	for _, tt := range tests {
		stdin.WriteString(tt.in + "\n")
	}
	for _, mode := range []string{"arguments", "stdin"} {
		t.Run(mode, func(t *testing.T) {
			a := args
			var in io.Reader = bytes.NewReader(stdin.Bytes())
			if mode == "arguments" {
				for _, tt := range tests {
					a = append(a, tt.in)
				}
				in = strings.NewReader("")
			}
			var out bytes.Buffer
			if err := run(context.Background(), a, func(string) string { return "" }, in, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(&out)
			for _, tt := range tests {
				var r schema.EmailResult
				if err := dec.Decode(&r); err != nil {
					t.Fatalf("%s: %v", tt.in, err)
				}
				if r.Address != tt.in || r.Status != tt.status || r.Reason != tt.reason {
					t.Errorf("%s: got %s %s/%s (%s), want %s/%s", tt.in, r.Address, r.Status, r.Reason, r.Detail, tt.status, tt.reason)
				}
			}
			if dec.More() {
				t.Error("more output than inputs")
			}
		})
	}
	cmds := strings.Join(smtp.Commands(), "\n")
	if !strings.Contains(cmds, "EHLO probe.enricher.test") || !strings.Contains(cmds, "MAIL FROM:<probe@enricher.test>") {
		t.Errorf("the server did not see the configured HELO name and sender:\n%s", cmds)
	}
}
