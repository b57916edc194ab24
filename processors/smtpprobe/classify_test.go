package smtpprobe

import "testing"

func TestParseReply(t *testing.T) {
	tests := []struct {
		code           int
		msg            string
		enhanced, text string
	}{
		{250, "2.1.5 OK", "2.1.5", "OK"},
		{550, "5.1.1 The email account\n5.1.1 does not exist.", "5.1.1", "The email account does not exist."},
		{550, "User unknown", "", "User unknown"},
		{550, "4.2.0 wrong class", "", "4.2.0 wrong class"},
		{552, "5.2.2", "5.2.2", ""},
		{554, "5.7.1234 too long", "", "5.7.1234 too long"},
		{451, "4.7.1 Greylisted.", "4.7.1", "Greylisted."},
	}
	for _, tt := range tests {
		r := parseReply(tt.code, tt.msg)
		if r.code != tt.code || r.enhanced != tt.enhanced || r.text != tt.text {
			t.Errorf("parseReply(%d, %q) = %+v; want enhanced %q, text %q", tt.code, tt.msg, r, tt.enhanced, tt.text)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		code     int
		enhanced string
		text     string
		rcpt     bool
		want     Verdict
	}{
		{250, "2.1.5", "OK", true, Accepted},
		{251, "", "will forward", true, Accepted},
		{252, "", "cannot verify", true, Unknown},
		{250, "", "OK", false, Unknown},
		{550, "5.1.1", "no such user", true, MailboxNotFound},
		{550, "5.1.0", "Address rejected", true, MailboxNotFound},
		{553, "5.1.3", "bad syntax", true, MailboxNotFound},
		{550, "5.1.10", "null MX", true, MailboxNotFound},
		{550, "5.1.1", "no such user", false, Unknown}, // at MAIL FROM: about us
		{553, "5.1.8", "sender domain not found", true, Unknown},
		{550, "5.1.7", "bad sender syntax", true, Unknown},
		{552, "", "", true, QuotaExceeded},
		{552, "5.2.2", "over quota", true, QuotaExceeded},
		{550, "", "Mailbox is full", true, QuotaExceeded},
		{550, "5.2.1", "account disabled", true, Unknown},
		{554, "5.7.1", "Service unavailable", true, Policy},
		{550, "5.7.606", "Access denied, banned sending IP", true, Policy},
		{550, "5.1.1", "blocked using zen.spamhaus.org", true, Policy},
		{554, "", "Your IP is blacklisted", true, Policy},
		{550, "", "poor sender reputation", true, Policy},
		{550, "", "message looks like spam", true, Policy},
		{554, "5.7.1", "", false, Policy},
		{550, "", "No such user here", true, MailboxNotFound},
		{550, "", "Recipient does not exist", true, MailboxNotFound},
		{550, "5.0.0", "user unknown", true, MailboxNotFound},
		{550, "", "Recipient address rejected", true, Unknown},
		{501, "5.5.2", "syntax error", true, Unknown},
		{450, "4.7.1", "Greylisted", true, Greylisted},
		{450, "4.2.0", "Recipient address rejected: Greylisted", true, Greylisted},
		{452, "4.2.2", "mailbox full", true, Greylisted},
		{421, "4.7.0", "blocked using bl.spamcop.net", true, Policy},
		{451, "4.7.1", "graylisted: blocked for 5 minutes", true, Greylisted},
		{0, "", "", true, Unknown},
	}
	for _, tt := range tests {
		r := reply{code: tt.code, enhanced: tt.enhanced, text: tt.text}
		if got := classify(r, tt.rcpt); got != tt.want {
			t.Errorf("classify(%d %s %q, rcpt=%v) = %s, want %s", tt.code, tt.enhanced, tt.text, tt.rcpt, got, tt.want)
		}
	}
}
