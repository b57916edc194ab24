package graph

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/enricher/enricher/store"
)

type fakeAuth map[string]error

func (f fakeAuth) Authenticate(_ context.Context, key string) (string, error) {
	err, ok := f[key]
	if !ok {
		return "", store.ErrUnknownKey
	}
	if err != nil {
		return "", err
	}
	return "tenant-" + key, nil
}

func TestRequireTenant(t *testing.T) {
	auth := fakeAuth{"good": nil, "old": store.ErrRevokedKey, "down": errors.New("database is down")}
	tests := []struct {
		name     string
		auth     Authenticator
		header   string
		upgrade  bool
		wantCode int
		want     string // tenant, or part of the error
	}{
		{"auth off", nil, "", false, 200, store.LocalTenant},
		{"auth off ignores a header", nil, "Bearer whatever", false, 200, store.LocalTenant},
		{"good key", auth, "Bearer good", false, 200, "tenant-good"},
		{"scheme in any case", auth, "bearer good", false, 200, "tenant-good"},
		{"no key", auth, "", false, 401, "missing API key"},
		{"unknown key", auth, "Bearer nope", false, 401, "unknown API key"},
		{"revoked key", auth, "Bearer old", false, 401, "revoked"},
		{"no scheme", auth, "good", false, 401, "Bearer <API key>"},
		{"empty bearer", auth, "Bearer ", false, 401, "Bearer <API key>"},
		{"database down", auth, "Bearer down", false, 503, "the database is unavailable"},
		{"websocket without a header: connection_init decides", auth, "", true, 200, ""},
		{"websocket with a bad header", auth, "Bearer nope", true, 401, "unknown API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := requireTenant(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, store.TenantOf(r.Context()))
			}), tt.auth, slog.New(slog.DiscardHandler))
			req := httptest.NewRequest(http.MethodPost, "/query", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			if tt.upgrade {
				req.Header.Set("Upgrade", "websocket")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != tt.wantCode || !strings.Contains(body, tt.want) {
				t.Fatalf("HTTP %d %q, want %d with %q", rec.Code, body, tt.wantCode, tt.want)
			}
			if rec.Code != 200 && (rec.Header().Get("Content-Type") != "application/json" || !strings.HasPrefix(body, `{"errors":[{`)) {
				t.Errorf("a refusal is not a JSON GraphQL error: %s %q", rec.Header().Get("Content-Type"), body)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}
