package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestQueryDepth(t *testing.T) {
	// fragments that each spread the next twice: 2^20 paths, one depth.
	var wide strings.Builder
	wide.WriteString("{ jobs { ...Fa } }\n")
	for i := 0; i < 20; i++ {
		wide.WriteString("fragment F" + string(rune('a'+i)) + " on X { a { ...F" + string(rune('a'+i+1)) + " } b { ...F" + string(rune('a'+i+1)) + " } }\n")
	}
	wide.WriteString("fragment Fu on X { leaf }\n")
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"one field", `{ jobs }`, 1},
		{"nested", `{ contacts { edges { node { emailCheck { status } } } } }`, 5},
		{"deepest branch counts", `{ a { b } c { d { e } } }`, 3},
		{"inline fragment adds nothing", `{ a { ... on X { b { c } } } }`, 3},
		{"named fragment", `{ a { ...F } } fragment F on X { b { c } }`, 3},
		{"introspection is not counted", `{ __schema { types { fields { type { ofType { ofType { name } } } } } } jobs { id } }`, 2},
		{"typename is not counted", `{ a { __typename } }`, 1},
		{"fragments spread many times", wide.String(), 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			w := depthWalker{doc: doc, memo: map[string]int{}, visiting: map[string]bool{}}
			if got := w.depth(doc.Operations[0].SelectionSet); got != tt.want {
				t.Errorf("depth = %d, want %d", got, tt.want)
			}
		})
	}
}
