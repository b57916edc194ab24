package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// depthLimit refuses an operation whose fields nest deeper than max.
// Introspection fields (__schema, __type) do not count: their depth is
// bounded by the schema, and the playground's introspection query is deep.
type depthLimit struct{ max int }

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	if op == nil {
		return nil
	}
	w := depthWalker{doc: opCtx.Doc, memo: map[string]int{}, visiting: map[string]bool{}}
	if depth := w.depth(op.SelectionSet); depth > d.max {
		err := gqlerror.Errorf("the query nests fields %d deep, more than the limit of %d (MAX_QUERY_DEPTH)", depth, d.max)
		errcode.Set(err, "QUERY_TOO_DEEP")
		return err
	}
	return nil
}

// complexityLimit is gqlgen's, with an error that names the setting.
type complexityLimit struct{ *extension.ComplexityLimit }

func (c complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	err := c.ComplexityLimit.MutateOperationContext(ctx, opCtx)
	if err != nil {
		err.Message += " (MAX_QUERY_COMPLEXITY)"
	}
	return err
}

type depthWalker struct {
	doc      *ast.QueryDocument
	memo     map[string]int // depth of each fragment, worked out once
	visiting map[string]bool
}

func (w *depthWalker) depth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + w.depth(s.SelectionSet)
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			d = w.fragment(s)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func (w *depthWalker) fragment(s *ast.FragmentSpread) int {
	if d, ok := w.memo[s.Name]; ok {
		return d
	}
	def := s.Definition
	if def == nil {
		def = w.doc.Fragments.ForName(s.Name)
	}
	if def == nil || w.visiting[s.Name] { // validation has refused cycles already
		return 0
	}
	w.visiting[s.Name] = true
	d := w.depth(def.SelectionSet)
	delete(w.visiting, s.Name)
	w.memo[s.Name] = d
	return d
}
