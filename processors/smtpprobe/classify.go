package smtpprobe

import (
	"regexp"
	"strings"
)

// Verdict is the outcome of a probe, named after the ZeroBounce sub-statuses
// where one exists.
type Verdict string

// Verdicts.
const (
	// Accepted: the server accepted the recipient (250 or 251).
	Accepted Verdict = "accepted"
	// MailboxNotFound: the server rejected the recipient permanently with a
	// recipient-class reply (5.1.x, or a plain 5xx saying the user is unknown).
	MailboxNotFound Verdict = "mailbox_not_found"
	// QuotaExceeded: the mailbox is full (552 or 5.2.2).
	QuotaExceeded Verdict = "mailbox_quota_exceeded"
	// Greylisted: the server still answered 4xx after all retries.
	Greylisted Verdict = "greylisted"
	// Policy: the server refused us, not the recipient (x.7.x, or a
	// blocklist text such as "blocked using zen.spamhaus.org"). It says
	// nothing about the mailbox.
	Policy Verdict = "antispam_system"
	// Timeout: a connect or read deadline expired.
	Timeout Verdict = "timeout_exceeded"
	// ConnectFailed: no connection could be made to any MX host.
	ConnectFailed Verdict = "failed_smtp_connection"
	// Unknown: anything else (unexpected replies, lost connections,
	// cancellation, addresses that cannot be probed).
	Unknown Verdict = "unknown"
)

// reply is one SMTP reply.
type reply struct {
	code     int
	enhanced string // RFC 3463 "class.subject.detail", "" if none
	text     string // lines joined by a space, enhanced codes removed
}

// maxText bounds Result.Text.
const maxText = 512

var enhancedRE = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)`)

// parseReply splits the message of a reply, as returned by
// textproto.Reader.ReadResponse, into its enhanced status code and text. An
// enhanced code whose class differs from the reply code's first digit is
// ignored, as RFC 3463 requires them to agree.
func parseReply(code int, msg string) reply {
	r := reply{code: code}
	var lines []string
	for line := range strings.SplitSeq(msg, "\n") {
		line = strings.TrimSpace(line)
		if m := enhancedRE.FindStringSubmatch(line); m != nil && int(m[1][0]-'0') == code/100 {
			if r.enhanced == "" {
				r.enhanced = m[1] + "." + m[2] + "." + m[3]
			}
			line = line[len(m[0]):]
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	r.text = strings.Join(lines, " ")
	if len(r.text) > maxText {
		r.text = strings.ToValidUTF8(r.text[:maxText], "")
	}
	return r
}

// Phrases matched case-insensitively against reply texts. They are phrases,
// not words: "listed" alone would match "greylisted".
var (
	policyPhrases = []string{
		"spamhaus", "spamcop", "barracuda", "dnsbl", "blacklist",
		"blocklist", "block list", "black list", "blocked", "listed at",
		"listed in", "listed on", "reputation", "spam", "banned",
		"reverse dns", "rdns", "ptr record", "not allowed to send",
		"client host rejected", "access denied for ip",
	}
	notFoundPhrases = []string{
		"user unknown", "unknown user", "no such user", "no such mailbox",
		"no such recipient", "unknown recipient", "recipient unknown",
		"does not exist", "doesn't exist", "invalid recipient",
		"invalid mailbox", "mailbox not found", "address not found",
		"user not found", "recipient not found", "no mailbox",
		"unrouteable address", "unknown address",
	}
	greylistPhrases = []string{"greylist", "graylist", "try again later"}
	quotaPhrases    = []string{
		"over quota", "quota exceeded", "exceeded quota", "exceeds quota",
		"mailbox full", "mailbox is full", "insufficient storage",
		"out of storage", "storage space", "too many messages",
	}
)

func contains(text string, phrases []string) bool {
	text = strings.ToLower(text)
	for _, p := range phrases {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// classify maps a reply to a verdict. rcpt reports whether the reply
// answers RCPT TO; replies at other stages (greeting, EHLO, MAIL FROM)
// concern us, not the recipient, so they never yield Accepted,
// MailboxNotFound or QuotaExceeded.
//
// The enhanced code decides first, then the basic code, then the text:
//
//	2xx      250, 251 at RCPT: Accepted; otherwise Unknown
//	4xx      blocklist text and no greylisting text: Policy; otherwise
//	         Greylisted (the caller retries first)
//	5xx      x.7.x or blocklist text: Policy (even 550 5.1.1, never MailboxNotFound)
//	         5.1.7, 5.1.8 (our sender's address is bad): Unknown
//	         other 5.1.x: MailboxNotFound
//	         5.2.2 or 552: QuotaExceeded
//	         another specific enhanced code (5.2.1, 5.4.1, 5.5.x...): Unknown
//	         no enhanced code, or 5.0.0: quota text, then not-found text; else Unknown
func classify(r reply, rcpt bool) Verdict {
	switch r.code / 100 {
	case 2:
		if rcpt && (r.code == 250 || r.code == 251) {
			return Accepted
		}
		return Unknown
	case 4:
		if !contains(r.text, greylistPhrases) && contains(r.text, policyPhrases) {
			return Policy
		}
		return Greylisted
	case 5:
	default:
		return Unknown
	}
	if strings.HasPrefix(r.enhanced, "5.7.") || contains(r.text, policyPhrases) {
		return Policy
	}
	if !rcpt {
		return Unknown
	}
	switch {
	case r.enhanced == "5.1.7" || r.enhanced == "5.1.8":
		return Unknown
	case strings.HasPrefix(r.enhanced, "5.1."):
		return MailboxNotFound
	case r.enhanced == "5.2.2" || r.code == 552:
		return QuotaExceeded
	case r.enhanced != "" && r.enhanced != "5.0.0":
		return Unknown
	case contains(r.text, quotaPhrases):
		return QuotaExceeded
	case contains(r.text, notFoundPhrases):
		return MailboxNotFound
	}
	return Unknown
}
