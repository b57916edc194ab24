package graph

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
)

// Options bound what the HTTP API accepts.
type Options struct {
	MaxUploadBytes int64    // largest upload; default 1 GiB
	MaxComplexity  int      // GraphQL query complexity; default 5000
	MaxDepth       int      // GraphQL query depth (fields nested); default 12
	Playground     bool     // serve the GraphQL playground at /
	OriginPatterns []string // websocket origins allowed besides the API's own host
	// Auth, when set, asks every request to /query and to the export for
	// an API key (Authorization: Bearer <key>; for a websocket, in the
	// upgrade request or the connection_init payload) and lets it see only
	// its tenant's jobs. Without it every request acts for the one tenant
	// store.LocalTenant.
	Auth Authenticator
}

// NewHandler serves the API:
//
//	/                          the GraphQL playground (when enabled)
//	/query                     GraphQL over HTTP and websocket (API key)
//	/jobs/{id}/results.csv     the enriched CSV of a job (API key)
//	/healthz                   200 when the database answers
func NewHandler(r *Resolver, opt Options) http.Handler {
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = 1 << 30
	}
	if opt.MaxComplexity <= 0 {
		opt.MaxComplexity = 5000
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 12
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: opt.OriginPatterns},
		},
		KeepAlivePingInterval: 10 * time.Second,
		PingPongInterval:      10 * time.Second,
		InitFunc:              wsInit(opt.Auth),
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(streamedUploads{maxBytes: opt.MaxUploadBytes})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(complexityLimit{extension.FixedComplexityLimit(opt.MaxComplexity)})
	srv.Use(depthLimit{max: opt.MaxDepth})
	srv.AroundOperations(tenantGuard)

	mux := http.NewServeMux()
	mux.Handle("/query", requireTenant(limitUploads(srv, opt.MaxUploadBytes, r.Log), opt.Auth, r.Log))
	mux.Handle("GET /jobs/{id}/results.csv", requireTenant(http.HandlerFunc(r.exportCSV), opt.Auth, r.Log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, req *http.Request) {
		if err := r.Store.Ping(req.Context()); err != nil {
			http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	if opt.Playground {
		mux.Handle("GET /{$}", playground.Handler("enricher", "/query"))
	}
	return mux
}

// limitUploads refuses an upload over the limit with an error that says
// so, before a job is made: at once when the request gives its length,
// and for a multipart upload sent without one (chunked), after writing it
// to a temporary file to count it. An upload of known length is read as
// it arrives (see streamedUploads).
func limitUploads(next http.Handler, limit int64, log *slog.Logger) http.Handler {
	tooLarge := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		fmt.Fprintf(w, `{"errors":[{"message":"the upload is larger than the limit of %d bytes (MAX_UPLOAD_BYTES)","extensions":{"code":"BAD_USER_INPUT"}}]}`, limit)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Method != http.MethodPost || mt != "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > limit {
			tooLarge(w)
			return
		}
		if r.ContentLength >= 0 {
			next.ServeHTTP(w, r)
			return
		}
		f, err := os.CreateTemp("", "enricher-upload-*")
		if err != nil {
			log.Error("spool upload", "err", err)
			http.Error(w, "cannot store the upload", http.StatusInternalServerError)
			return
		}
		defer func() { f.Close(); os.Remove(f.Name()) }()
		n, err := io.Copy(f, http.MaxBytesReader(w, r.Body, limit))
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			tooLarge(w)
			return
		}
		if err != nil {
			http.Error(w, "reading the upload: "+err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			http.Error(w, "cannot read back the upload", http.StatusInternalServerError)
			return
		}
		r.Body, r.ContentLength = f, n
		next.ServeHTTP(w, r)
	})
}
