package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/service/tenancy"
)

const adminUsage = `usage: teli admin <command>

  tenant create ID [-name NAME]    create a tenant
  tenant list                      list tenants
  key create -tenant ID [-name N]  create an API key (printed once)
  key list [-tenant ID]            list API keys (never their secrets)
  key revoke KEY_ID                revoke an API key at once
`

var errUsage = errors.New("bad usage; see teli admin help")

func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stdout, adminUsage)
		if len(args) == 1 && args[0] == "help" {
			return nil
		}
		return errUsage
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := app.OpenDatabase(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	svc := tenancy.New(db, clock.System{}, ids.Random{Clock: clock.System{}})
	cmd, rest := args[0]+" "+args[1], args[2:]
	switch cmd {
	case "tenant create":
		return tenantCreate(ctx, svc, rest, stdout)
	case "tenant list":
		return tenantList(ctx, svc, stdout)
	case "key create":
		return keyCreate(ctx, svc, rest, stdout)
	case "key list":
		return keyList(ctx, svc, rest, stdout)
	case "key revoke":
		if len(rest) != 1 {
			return errUsage
		}
		if err := svc.RevokeAPIKey(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s\n", rest[0])
		return nil
	}
	fmt.Fprint(stderr, adminUsage)
	return errUsage
}

// parseFlags parses flags that may come before or after one positional argument.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func tenantCreate(ctx context.Context, svc *tenancy.Service, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	name := fs.String("name", "", "display name")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	t, err := svc.CreateTenant(ctx, pos[0], *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created tenant %s (%s)\n", t.ID, t.Name)
	return nil
}

func tenantList(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
	tenants, err := svc.ListTenants(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED")
	for _, t := range tenants {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func keyCreate(ctx context.Context, svc *tenancy.Service, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key create", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant id")
	name := fs.String("name", "", "a label for the key")
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 0 || *tenant == "" {
		return errUsage
	}
	k, secret, err := svc.CreateAPIKey(ctx, *tenant, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created key %s for tenant %s\nAPI key (shown once, keep it): %s\n", k.ID, k.TenantID, secret)
	return nil
}

func keyList(ctx context.Context, svc *tenancy.Service, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key list", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant id (all tenants when empty)")
	if pos, err := parseFlags(fs, args); err != nil || len(pos) != 0 {
		return errUsage
	}
	keys, err := svc.ListAPIKeys(ctx, *tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tNAME\tPREFIX\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\n", k.ID, k.TenantID, k.Name, k.Prefix, k.CreatedAt.Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}
