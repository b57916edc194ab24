package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/enricher/enricher/store"
)

const keysUsage = `usage:
  enricher keys create --tenant T [--name N]   make an API key (printed once)
  enricher keys list [--tenant T]              list keys (never the keys themselves)
  enricher keys revoke ID                      revoke a key
each with --database-url URL (DATABASE_URL) or --data-dir DIR (the embedded database)`

// runKeys runs `enricher keys create|list|revoke` on the database of
// --database-url, or the embedded one in --data-dir.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(keysUsage)
	}
	sub := args[0]
	if sub == "-h" || sub == "-help" || sub == "--help" || sub == "help" {
		fmt.Fprintln(stdout, keysUsage)
		return nil
	}
	var tenant, name string
	cfg, fs, err := parseConfig("keys "+sub, args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		if sub == "create" || sub == "list" {
			fs.StringVar(&tenant, "tenant", "", "tenant the key belongs to")
		}
		if sub == "create" {
			fs.StringVar(&name, "name", "", "what the key is for, shown in listings")
		}
	})
	if err != nil {
		return err
	}
	switch {
	case sub == "create" && tenant == "":
		return errors.New("keys create: --tenant is required\n" + keysUsage)
	case sub == "create" && fs.NArg() != 0, sub == "list" && fs.NArg() != 0:
		return fmt.Errorf("keys %s: unexpected arguments %v\n%s", sub, fs.Args(), keysUsage)
	case sub == "revoke" && fs.NArg() != 1:
		return errors.New("keys revoke: give the ID of one key (see enricher keys list)\n" + keysUsage)
	case sub != "create" && sub != "list" && sub != "revoke":
		return fmt.Errorf("keys: unknown command %q\n%s", sub, keysUsage)
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	st, err := openDataStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	switch sub {
	case "create":
		key, k, err := st.CreateKey(ctx, tenant, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		fmt.Fprintf(stderr, "API key %s for tenant %s: it is shown only this once; send it as Authorization: Bearer <key>\n", k.ID, k.Tenant)
		return nil
	case "list":
		keys, err := st.Keys(ctx, tenant)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTENANT\tNAME\tKEY\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Tenant, k.Name, k.Prefix, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	default: // revoke
		k, err := st.RevokeKey(ctx, fs.Arg(0))
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("keys revoke: no key has the ID %q (see enricher keys list)", fs.Arg(0))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "revoked API key %s of tenant %s\n", k.ID, k.Tenant)
		return nil
	}
}
