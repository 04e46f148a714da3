package main

import (
	"context"
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

// adminRun is one admin command, its arguments already checked.
type adminRun func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error

func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// The whole command line is checked before the database is opened: a mistyped command
	// must not create a data directory or an empty database.
	cmd, err := adminCommand(args)
	if err != nil {
		return err
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
	return cmd(ctx, tenancy.New(db, clock.System{}, ids.Random{Clock: clock.System{}}), stdout)
}

// adminCommand reads an admin command line into the command it names.
func adminCommand(args []string) (adminRun, error) {
	if err := helpOnly(adminUsage, args); err != nil {
		return nil, err
	}
	switch {
	case len(args) == 0:
		return nil, badUsage(adminUsage, "no admin command given")
	case args[0] != "tenant" && args[0] != "key":
		return nil, badUsage(adminUsage, "unknown admin command %q", args[0])
	case len(args) == 1:
		return nil, badUsage(adminUsage, "%s needs a command", args[0])
	}
	if err := helpOnly(adminUsage, args[1:]); err != nil {
		return nil, err
	}
	rest := args[2:]
	switch args[0] + " " + args[1] {
	case "tenant create":
		return tenantCreate(rest)
	case "tenant list":
		return tenantList(rest)
	case "key create":
		return keyCreate(rest)
	case "key list":
		return keyList(rest)
	case "key revoke":
		return keyRevoke(rest)
	}
	return nil, badUsage(adminUsage, "unknown admin command %q", args[0]+" "+args[1])
}

func tenantCreate(args []string) (adminRun, error) {
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	name := fs.String("name", "", "display name")
	pos, err := parseFlags(fs, adminUsage, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, badUsage(adminUsage, "tenant create takes one tenant ID")
	}
	return func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
		t, err := svc.CreateTenant(ctx, pos[0], *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created tenant %s (%s)\n", t.ID, t.Name)
		return nil
	}, nil
}

func tenantList(args []string) (adminRun, error) {
	if err := noArguments(adminUsage, args); err != nil {
		return nil, err
	}
	return func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
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
	}, nil
}

func keyCreate(args []string) (adminRun, error) {
	fs := flag.NewFlagSet("key create", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant id")
	name := fs.String("name", "", "a label for the key")
	pos, err := parseFlags(fs, adminUsage, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 0 || *tenant == "" {
		return nil, badUsage(adminUsage, "key create takes -tenant ID and no other argument")
	}
	return func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
		k, secret, err := svc.CreateAPIKey(ctx, *tenant, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created key %s for tenant %s\nAPI key (shown once, keep it): %s\n", k.ID, k.TenantID, secret)
		return nil
	}, nil
}

func keyList(args []string) (adminRun, error) {
	fs := flag.NewFlagSet("key list", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant id (all tenants when empty)")
	pos, err := parseFlags(fs, adminUsage, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 0 {
		return nil, badUsage(adminUsage, "unexpected argument %q", pos[0])
	}
	return func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
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
	}, nil
}

func keyRevoke(args []string) (adminRun, error) {
	pos, err := parseFlags(flag.NewFlagSet("key revoke", flag.ContinueOnError), adminUsage, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, badUsage(adminUsage, "key revoke takes one KEY_ID")
	}
	return func(ctx context.Context, svc *tenancy.Service, stdout io.Writer) error {
		if err := svc.RevokeAPIKey(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s\n", pos[0])
		return nil
	}, nil
}
