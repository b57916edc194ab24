package emailsyntax

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hygiene fix names recorded in Address.Fixes.
const (
	FixBOM                 = "bom"
	FixWhitespace          = "whitespace"
	FixZeroWidth           = "zero_width"
	FixMailto              = "mailto"
	FixDisplayName         = "display_name"
	FixAngleBrackets       = "angle_brackets"
	FixTrailingPunctuation = "trailing_punctuation"
)

// maxCleanPasses bounds the hygiene loop so that deeply nested input such as
// "<<<<a>>>>" costs linear time.
const maxCleanPasses = 4

// clean applies the input hygiene steps until nothing changes (or the pass
// limit is reached) and returns the cleaned string and the fixes applied.
func clean(s string) (string, []string) {
	var fixes []string
	add := func(fix string) {
		for _, f := range fixes {
			if f == fix {
				return
			}
		}
		fixes = append(fixes, fix)
	}
	if strings.HasPrefix(s, "\uFEFF") {
		s = s[len("\uFEFF"):]
		add(FixBOM)
	}
	for range maxCleanPasses {
		before := s
		var space, zw bool
		s, space, zw = trimEdges(s)
		if space {
			add(FixWhitespace)
		}
		if zw {
			add(FixZeroWidth)
		}
		if t, ok := stripTrailingPunct(s); ok {
			s = t
			add(FixTrailingPunctuation)
		}
		if t, ok := stripMailto(s); ok {
			s = t
			add(FixMailto)
		}
		if t, named, ok := stripDisplay(s); ok {
			s = t
			if named {
				add(FixDisplayName)
			} else {
				add(FixAngleBrackets)
			}
		}
		if s == before {
			break
		}
	}
	return s, fixes
}

func isZeroWidth(r rune) bool {
	return r >= 0x200B && r <= 0x200D || r == 0x2060 || r == 0xFEFF
}

// trimEdges removes white space and zero-width characters from both ends.
func trimEdges(s string) (t string, space, zw bool) {
	trim := func(r rune) bool {
		switch {
		case unicode.IsSpace(r):
			space = true
		case isZeroWidth(r):
			zw = true
		default:
			return false
		}
		return true
	}
	return strings.TrimFunc(s, trim), space, zw
}

// stripTrailingPunct removes trailing ';', ',' and '.': a valid address ends
// with a domain label or a domain literal, never with one of these.
func stripTrailingPunct(s string) (string, bool) {
	t := strings.TrimRight(s, ";,.")
	return t, t != s
}

// stripMailto removes a "mailto:" URI scheme, its query and %XX escapes.
func stripMailto(s string) (string, bool) {
	const scheme = "mailto:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return s, false
	}
	s = s[len(scheme):]
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil && utf8.ValidString(u) {
			s = u
		}
	}
	return s, true
}

// stripDisplay reduces "Name <addr>" and "<addr>" to addr. named reports
// that a display name was present.
func stripDisplay(s string) (addr string, named, ok bool) {
	if !strings.HasSuffix(s, ">") {
		return s, false, false
	}
	i := strings.LastIndexByte(s, '<')
	if i < 0 {
		return s, false, false
	}
	return s[i+1 : len(s)-1], strings.TrimSpace(s[:i]) != "", true
}
