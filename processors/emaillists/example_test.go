package emaillists_test

import (
	"fmt"

	"github.com/enricher/enricher/processors/emaillists"
)

func Example() {
	l := emaillists.Default().With(emaillists.Overrides{
		Allow: []string{"yopmail.com"},
		Deny:  []string{"competitor.example"},
	})
	fmt.Println(l.Disposable("x.mailinator.com"), l.Disposable("yopmail.com"))
	fmt.Println(l.Free("gmail.com"), l.Relay("duck.com"), l.Denied("mx.competitor.example"))
	fmt.Println(l.Role("No-Reply"))
	fmt.Println(l.Alias("j.ane+news", "googlemail.com"))
	// Output:
	// true false
	// true true true
	// true
	// jane@gmail.com true
}
