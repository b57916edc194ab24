package emailsyntax_test

import (
	"fmt"

	"github.com/enricher/enricher/processors/emailsyntax"
)

func ExampleParse() {
	a, err := emailsyntax.Parse(" Jürgen <mailto:Juergen@Bücher.DE>; ", emailsyntax.Options{})
	fmt.Println(a.Normalized, a.UnicodeDomain, a.Fixes, err == nil)

	_, err = emailsyntax.Parse("john..doe@example.org", emailsyntax.Options{})
	fmt.Println(err.Rule)
	// Output:
	// Juergen@xn--bcher-kva.de bücher.de [whitespace trailing_punctuation display_name mailto] true
	// local_consecutive_dots
}

func ExampleSuggest() {
	fmt.Println(emailsyntax.Suggest("gmial.com"))
	fmt.Println(emailsyntax.Suggest("hotmaul.com"))
	fmt.Println(emailsyntax.Suggest("acme.com"))
	// Output:
	// gmail.com true
	// hotmail.com false
	//  false
}
