package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// LocalTenant is the tenant of a server that runs without API keys, and
// of the jobs made before there were tenants.
const LocalTenant = "local"

// KeyPrefix starts every API key.
const KeyPrefix = "enr_"

// Errors of Authenticate. Neither holds the key.
var (
	ErrUnknownKey = errors.New("unknown API key")
	ErrRevokedKey = errors.New("the API key has been revoked")
)

// Key is an API key as stored: never the key itself, only its hash and
// its first characters.
type Key struct {
	ID        string
	Tenant    string
	Name      string
	Prefix    string // the key's first characters, e.g. "enr_Ab3dE9"
	CreatedAt time.Time
	RevokedAt *time.Time
}

type keyRow struct {
	bun.BaseModel `bun:"table:api_keys"`

	ID        string     `bun:"id,pk"`
	Tenant    string     `bun:"tenant"`
	Name      string     `bun:"name"`
	Hash      string     `bun:"hash"`
	Prefix    string     `bun:"prefix"`
	CreatedAt time.Time  `bun:"created_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

func (r *keyRow) key() Key {
	return Key{ID: r.ID, Tenant: r.Tenant, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}

// ValidTenant checks a tenant name: 1 to 64 letters, digits, '.', '_' or '-'.
func ValidTenant(tenant string) error {
	if tenant == "" || len(tenant) > 64 {
		return fmt.Errorf("tenant %q: want 1 to 64 characters", tenant)
	}
	for _, c := range tenant {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("tenant %q: only letters, digits, '.', '_' and '-' are allowed", tenant)
		}
	}
	return nil
}

func hashKey(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// CreateKey makes a new API key for tenant and returns it: the plaintext,
// which is stored nowhere and cannot be shown again, and its record.
func (s *Store) CreateKey(ctx context.Context, tenant, name string) (string, Key, error) {
	if err := ValidTenant(tenant); err != nil {
		return "", Key{}, fmt.Errorf("create API key: %w", err)
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", Key{}, fmt.Errorf("create API key: %w", err)
	}
	plaintext := KeyPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	id, err := uuid.NewV7()
	if err != nil {
		return "", Key{}, fmt.Errorf("create API key: %w", err)
	}
	row := &keyRow{
		ID: id.String(), Tenant: tenant, Name: name, Hash: hashKey(plaintext),
		Prefix: plaintext[:len(KeyPrefix)+6], CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
	}
	if _, err := s.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return "", Key{}, fmt.Errorf("create API key for tenant %s: %w", tenant, err)
	}
	return plaintext, row.key(), nil
}

// Keys lists the API keys of a tenant ("" for every tenant), oldest first,
// revoked ones included.
func (s *Store) Keys(ctx context.Context, tenant string) ([]Key, error) {
	var rows []keyRow
	q := s.db.NewSelect().Model(&rows).OrderExpr("created_at, id")
	if tenant != "" {
		q = q.Where("tenant = ?", tenant)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	out := make([]Key, len(rows))
	for i := range rows {
		out[i] = rows[i].key()
	}
	return out, nil
}

// RevokeKey revokes a key by its id: it authenticates no more. Revoking a
// revoked key changes nothing; an unknown id gives ErrNotFound.
func (s *Store) RevokeKey(ctx context.Context, id string) (Key, error) {
	var row keyRow
	err := s.db.NewRaw(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?0) WHERE id = ?1 RETURNING *`,
		time.Now().UTC().Truncate(time.Microsecond), id).Scan(ctx, &row)
	if err != nil {
		return Key{}, wrapNotFound(fmt.Errorf("revoke API key %s: %w", id, err))
	}
	return row.key(), nil
}

// Authenticate returns the tenant of an API key, ErrUnknownKey for a key
// that is not one of ours and ErrRevokedKey for a revoked one. The key is
// looked up by its hash, so its value never reaches the database.
func (s *Store) Authenticate(ctx context.Context, plaintext string) (string, error) {
	if !strings.HasPrefix(plaintext, KeyPrefix) {
		return "", ErrUnknownKey
	}
	var row keyRow
	err := s.db.NewSelect().Model(&row).Where("hash = ?", hashKey(plaintext)).Scan(ctx)
	if err != nil {
		if errors.Is(wrapNotFound(err), ErrNotFound) {
			return "", ErrUnknownKey
		}
		return "", fmt.Errorf("check API key: %w", err)
	}
	if row.RevokedAt != nil {
		return "", ErrRevokedKey
	}
	return row.Tenant, nil
}
