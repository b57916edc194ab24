package emailsyntax

import (
	"fmt"
	"strings"
	"unicode"
)

// maxReported bounds how many distinct characters an error message lists.
const maxReported = 5

// runeNames names the invisible characters most often found in pasted
// addresses; other characters are described by their general category.
var runeNames = map[rune]string{
	0x00A0: "NO-BREAK SPACE",
	0x00AD: "SOFT HYPHEN",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR",
	0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
}

// unsafeKind returns a description of why r must not appear in an address,
// or "" when r is acceptable. ASCII space is left to the syntax rules.
func unsafeKind(r rune) string {
	switch {
	case r < 0x20 || r == 0x7F || unicode.Is(unicode.Cc, r):
		return "control character"
	case r < 0x80:
		return ""
	case unicode.Is(unicode.Cf, r):
		return "format character"
	case unicode.Is(unicode.Co, r):
		return "private-use character"
	case unicode.Is(unicode.Cs, r):
		return "surrogate"
	case unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp):
		return "space or separator"
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S):
		return "unassigned character"
	}
	return ""
}

// checkUnsafe rejects s if it contains any unsafe character.
func checkUnsafe(s string) *Error {
	var bad []rune
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			continue
		}
		if unsafeKind(r) != "" {
			bad = appendUnique(bad, r)
		}
	}
	if bad == nil {
		return nil
	}
	return fail(RuleUnsafeUnicode, "The email address contains unsafe characters: "+describeRunes(bad)+".")
}

func isMark(r rune) bool {
	return unicode.Is(unicode.M, r)
}

// describeRune renders r for an error message, e.g. "'/'", "SPACE" or
// "U+200B (ZERO WIDTH SPACE)".
func describeRune(r rune) string {
	switch {
	case r == ' ':
		return "SPACE"
	case r > 0x20 && r < 0x7F:
		return "'" + string(r) + "'"
	}
	desc := runeNames[r]
	if desc == "" {
		desc = unsafeKind(r)
	}
	if desc == "" {
		return fmt.Sprintf("'%c' (U+%04X)", r, r)
	}
	return fmt.Sprintf("U+%04X (%s)", r, desc)
}

func describeRunes(rs []rune) string {
	parts := make([]string, 0, min(len(rs), maxReported)+1)
	for i, r := range rs {
		if i == maxReported {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, describeRune(r))
	}
	return strings.Join(parts, ", ")
}
