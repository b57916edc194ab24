package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/enricher/enricher/store"
)

// Authenticator tells which tenant an API key belongs to; *store.Store is
// one. Its errors for a key that is not valid are store.ErrUnknownKey and
// store.ErrRevokedKey.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (tenant string, err error)
}

// authError is why a request was refused, with its HTTP status.
type authError struct {
	status int
	msg    string
	cause  error // for the log, when the fault is the server's
}

func (e *authError) Error() string { return e.msg }

var errNoKey = &authError{status: http.StatusUnauthorized,
	msg: "missing API key: send the header Authorization: Bearer <key> (keys are made with `enricher keys create`)"}

// tenantFor checks an Authorization value and returns its tenant. Neither
// the value nor the key is ever part of the error.
func tenantFor(ctx context.Context, auth Authenticator, authorization string) (string, error) {
	if authorization == "" {
		return "", errNoKey
	}
	scheme, key, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return "", &authError{status: http.StatusUnauthorized, msg: "the Authorization header must be Bearer <API key>"}
	}
	tenant, err := auth.Authenticate(ctx, strings.TrimSpace(key))
	switch {
	case errors.Is(err, store.ErrUnknownKey), errors.Is(err, store.ErrRevokedKey):
		return "", &authError{status: http.StatusUnauthorized, msg: "invalid API key: " + err.Error()}
	case err != nil:
		return "", &authError{status: http.StatusServiceUnavailable, msg: "cannot check the API key: the database is unavailable, try again shortly", cause: err}
	}
	return tenant, nil
}

// requireTenant runs next for the tenant of the request's API key, or
// answers 401 with a JSON message. Without an Authenticator every request
// acts for store.LocalTenant. A websocket upgrade without the header goes
// through: its connection_init payload must then carry the key (wsInit).
func requireTenant(next http.Handler, auth Authenticator, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if auth == nil {
			next.ServeHTTP(w, r.WithContext(store.WithTenant(ctx, store.LocalTenant)))
			return
		}
		h := r.Header.Get("Authorization")
		if h == "" && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		tenant, err := tenantFor(ctx, auth, h)
		if err != nil {
			var ae *authError
			errors.As(err, &ae)
			if ae.cause != nil {
				log.Warn("cannot check an API key", "path", r.URL.Path, "err", ae.cause)
			} else {
				log.Debug("request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", ae.msg)
			}
			refuse(w, ae)
			return
		}
		next.ServeHTTP(w, r.WithContext(store.WithTenant(ctx, tenant)))
	})
}

func refuse(w http.ResponseWriter, e *authError) {
	code := "UNAUTHENTICATED"
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="enricher"`)
	} else {
		code = "UNAVAILABLE"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "Bearer <key>" reads better than \u003ckey\u003e
	_ = enc.Encode(map[string]any{"errors": []any{map[string]any{"message": e.msg, "extensions": map[string]any{"code": code}}}})
}

// wsInit authenticates a websocket connection whose upgrade request had no
// Authorization header by the Authorization of its connection_init
// payload (graphql-ws clients send their connection params there).
func wsInit(auth Authenticator) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if store.TenantOf(ctx) != "" {
			return ctx, nil, nil
		}
		if auth == nil {
			return store.WithTenant(ctx, store.LocalTenant), nil, nil
		}
		tenant, err := tenantFor(ctx, auth, p.Authorization())
		if err != nil {
			if errors.Is(err, errNoKey) {
				err = errors.New(`missing API key: put {"Authorization": "Bearer <key>"} in the connection_init payload`)
			}
			// 4403 is graphql-ws's Forbidden; a close reason is at most 123 bytes.
			reason := err.Error()
			if len(reason) > 123 {
				reason = reason[:123]
			}
			return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), reason), nil, err
		}
		return store.WithTenant(ctx, tenant), nil, nil
	}
}

// tenantGuard refuses any operation that does not act for a tenant: every
// way in sets one, this makes sure of it.
func tenantGuard(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if store.TenantOf(ctx) == "" {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message: errNoKey.msg, Extensions: map[string]any{"code": "UNAUTHENTICATED"},
		}}})
	}
	return next(ctx)
}

// activeJobsError is the error of an upload over the tenant's limit.
func activeJobsError(ctx context.Context, active, limit int) error {
	return &gqlerror.Error{
		Path: graphql.GetPath(ctx),
		Message: fmt.Sprintf("%d jobs of this tenant have not ended yet, and the limit is %d (MAX_ACTIVE_JOBS): wait for one to end, or cancel one",
			active, limit),
		Extensions: map[string]any{"code": "TOO_MANY_ACTIVE_JOBS"},
	}
}
