package app

import (
	"context"
	"fmt"
)

// bootstrap gives an empty database its default tenant, organization, admin user and API key,
// and prints what an operator needs to start using them. The key is printed only when it was
// generated here; one from TELI_BOOTSTRAP_API_KEY is already known to whoever set it.
func (a *App) bootstrap(ctx context.Context) error {
	r, err := a.svc.Tenancy.Bootstrap(ctx, a.cfg.BootstrapAPIKey)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if !r.Created {
		return nil
	}
	a.log.Info("bootstrapped empty database", "tenant", r.Tenant.ID,
		"organization_id", r.Organization.UniqueID, "admin_user_id", r.Admin.UniqueID)
	fmt.Fprintf(a.stdout, "Created tenant %q, organization %s and admin user %s.\n",
		r.Tenant.ID, r.Organization.UniqueID, r.Admin.UniqueID)
	if a.cfg.BootstrapAPIKey != "" {
		fmt.Fprintln(a.stdout, "API key: the one set in TELI_BOOTSTRAP_API_KEY.")
		return nil
	}
	fmt.Fprintf(a.stdout, "API key (shown once, keep it): %s\n", r.Key)
	return nil
}
