// Package emailsyntax cleans up and checks the syntax of e-mail addresses
// without any network access, and suggests corrections for mistyped domains
// of major mailbox providers.
//
// [Parse] runs in three steps:
//
//  1. Input hygiene removes the debris typically found in CSV cells and
//     copy-pasted text (see the table below). Zero-width and other unsafe
//     characters inside the address are never removed: they are errors.
//
//  2. The syntax check follows RFC 5321, RFC 5322 (dot-atom local parts,
//     optionally quoted strings), RFC 6531 (internationalised local parts,
//     which set [Address.SMTPUTF8]) and IDNA 2008 with UTS #46 mapping for
//     domains. Local parts are NFC-normalised; domains are converted to
//     lower-case A-labels. Domain literals are optional.
//
//  3. Special-use and reserved names (RFC 2606, RFC 6761, RFC 7686, RFC 9476)
//     are rejected unless [Options.AllowSpecialUse] is set: the TLDs test,
//     invalid, local, localhost, onion, arpa, example and alt, and the domains
//     example.com, example.net and example.org with their subdomains.
//
// Each hygiene fix applied is recorded in [Address.Fixes] (in order of first
// application, also available as Fix* constants):
//
//	Fix                    Removed
//	bom                    a leading UTF-8 byte order mark (U+FEFF)
//	whitespace             leading or trailing white space (Unicode White_Space:
//	                       CR, LF, TAB, NO-BREAK SPACE, ...)
//	zero_width             leading or trailing zero-width characters
//	                       (U+200B..U+200D, U+2060, U+FEFF after the start)
//	mailto                 a case-insensitive "mailto:" prefix, with any "?query";
//	                       %XX escapes are decoded
//	display_name           the display name of a "Name <addr>" form
//	angle_brackets         the brackets of a bare "<addr>" form
//	trailing_punctuation   trailing ';', ',' and '.' (no address ends in one)
//
// Every failure is an [*Error] whose Rule is one of the stable identifiers
// below (also available as Rule* constants) and whose Message is meant for
// people:
//
//	Rule                       Meaning
//	empty                      nothing left after input hygiene
//	invalid_utf8               the input is not valid UTF-8
//	unsafe_unicode             a control, format (zero-width, BIDI), private-use,
//	                           unassigned or non-ASCII space character, or a
//	                           combining mark at the start of the local part
//	no_at_sign                 there is no @-sign
//	multiple_at_signs          there is more than one unquoted @-sign
//	empty_local_part           nothing before the @-sign
//	local_invalid_char         a character not allowed in an unquoted local part
//	local_leading_dot          the local part starts with a period
//	local_trailing_dot         the local part ends with a period
//	local_consecutive_dots     the local part has two periods in a row
//	quoted_local_part          a quoted local part without Options.AllowQuotedLocal
//	invalid_quoted_local_part  a malformed or empty quoted local part
//	local_part_too_long        the local part exceeds 64 octets
//	empty_domain               nothing after the @-sign
//	domain_invalid_char        a character not allowed in a domain name
//	invalid_idna               the domain is not valid IDNA 2008 / UTS #46
//	domain_empty_label         the domain starts or ends with a period or has
//	                           two periods in a row
//	domain_label_too_long      a domain label exceeds 63 octets
//	domain_hyphen              a domain label starts or ends with a hyphen
//	domain_reserved_hyphens    a label has "--" in positions 3 and 4 but is not
//	                           an A-label ("xn--")
//	domain_too_long            the ASCII domain exceeds 253 octets
//	no_dot_in_domain           the domain has a single label
//	invalid_tld                the top-level domain is not alphabetic or an A-label
//	domain_literal             a domain literal without Options.AllowDomainLiteral
//	invalid_domain_literal     a malformed domain literal
//	special_use_domain         a special-use or reserved domain
//	too_long                   the normalised address exceeds 254 octets
//
// [Suggest] proposes the intended provider domain for a domain that is a
// known misspelling or lies within a small, length-relative
// Damerau-Levenshtein distance of a major provider.
package emailsyntax
