// Package graph is the HTTP face of the service: the GraphQL API (queries
// over jobs and contacts, the upload mutation, the progress subscription;
// gqlgen, SDL in schema/), the playground and the CSV export.
package graph

//go:generate go tool gqlgen generate

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/enricher/enricher/graph/model"
	"github.com/enricher/enricher/store"
	"github.com/enricher/enricher/streams"
)

// Resolver holds what the resolvers need.
type Resolver struct {
	Store      *store.Store
	Dispatcher *streams.Dispatcher
	Feed       *streams.Feed
	Log        *slog.Logger
	// MaxActiveJobs is how many jobs a tenant may have that have not
	// ended (PENDING, RUNNING); an upload over it is refused. 0: no limit.
	MaxActiveJobs int
}

// maxPage bounds the page size of a listing.
const maxPage = 1000

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// rate is a job's rows processed per second, from its creation to its end
// (or now).
func rate(j *store.Job, now time.Time) float64 {
	end := now
	if j.FinishedAt != nil {
		end = *j.FinishedAt
	}
	secs := end.Sub(j.CreatedAt).Seconds()
	if secs <= 0 || j.Processed == 0 {
		return 0
	}
	return float64(j.Processed) / secs
}

// userError is an error the user can fix, flagged BAD_USER_INPUT.
func userError(ctx context.Context, format string, args ...any) error {
	return &gqlerror.Error{
		Path:       graphql.GetPath(ctx),
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": "BAD_USER_INPUT"},
	}
}

// notFound turns store.ErrNotFound into a NOT_FOUND error naming the job.
func (r *Resolver) notFound(ctx context.Context, err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &gqlerror.Error{
			Path:       graphql.GetPath(ctx),
			Message:    fmt.Sprintf("job %q not found", id),
			Extensions: map[string]any{"code": "NOT_FOUND"},
		}
	}
	return err
}

func pageSize(ctx context.Context, first *int, def int) (int, error) {
	if first == nil {
		return def, nil
	}
	if *first < 1 || *first > maxPage {
		return 0, userError(ctx, "first must be between 1 and %d, got %d", maxPage, *first)
	}
	return *first, nil
}

func encodeCursor(kind, value string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + value))
}

func decodeCursor(ctx context.Context, cursor, kind string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	value, ok := strings.CutPrefix(string(b), kind+":")
	if err != nil || !ok {
		return "", userError(ctx, "after: %q is not a cursor of this listing", cursor)
	}
	return value, nil
}

func encodeRowCursor(row int) string { return encodeCursor("row", strconv.Itoa(row)) }

func decodeRowCursor(ctx context.Context, cursor string) (int, error) {
	v, err := decodeCursor(ctx, cursor, "row")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, userError(ctx, "after: %q is not a cursor of this listing", cursor)
	}
	return n, nil
}

func contactFilter(f *model.ContactFilter) store.ContactFilter {
	var out store.ContactFilter
	if f == nil {
		return out
	}
	if f.Status != nil {
		out.Status = strings.ToLower(string(*f.Status))
	}
	if f.EmailStatus != nil {
		out.EmailStatus = strings.ToLower(string(*f.EmailStatus))
	}
	out.HasCompanyDomain = f.HasCompanyDomain
	if f.Search != nil {
		out.Search = *f.Search
	}
	return out
}
