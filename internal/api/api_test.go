package api_test

import (
	"context"
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

// scenario boots a fresh server per backend and plays steps against its router, comparing the
// exchanges with testdata/<name>.json. The same golden file serves every backend.
func scenario(t *testing.T, name string, steps func(srv *apitest.Server, vars map[string]string) []apitest.Step) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			srv := apitest.NewServer(t, b)
			vars := map[string]string{"org": srv.OrgID, "admin": srv.AdminID}
			otherTenant(t, srv, vars)
			apitest.Run(t, srv.App.Handler(), name, vars, steps(srv, vars))
		})
	}
}

// otherTenant creates a second tenant with an organization, a user and an agent, so scenarios
// can check that none of it is reachable with the first tenant's key.
func otherTenant(t *testing.T, srv *apitest.Server, vars map[string]string) {
	t.Helper()
	ctx := context.Background()
	svc := srv.App.Tenancy()
	if _, err := svc.CreateTenant(ctx, "other", "Other partner"); err != nil {
		t.Fatal(err)
	}
	_, secret, err := svc.CreateAPIKey(ctx, "other", "test")
	if err != nil {
		t.Fatal(err)
	}
	vars["other_key"] = secret
	apitest.Run(t, srv.App.Handler(), "other_tenant_setup", vars, []apitest.Step{
		{Name: "other org", Method: "POST", Path: "/v1/organizations", Key: "${other_key}",
			Body:    `{"name": "Other Co", "contact_email": "ops@other.example"}`,
			Capture: map[string]string{"other_org": "organization.unique_id"}},
		{Name: "other user", Method: "POST", Path: "/v1/organizations/${other_org}/users", Key: "${other_key}",
			Body:    `{"name": "Olga Other", "email": "olga@other.example", "permission": "admin"}`,
			Capture: map[string]string{"other_user": "user.unique_id"}},
		{Name: "other agent", Method: "POST", Path: "/v1/agents", Key: "${other_key}",
			Body:    `{"agent_type": "sms", "agent_name": "Other bot", "starting_message": "Hi", "prompt": "Be brief.", "organization_id": "${other_org}", "user_id": "${other_user}"}`,
			Capture: map[string]string{"other_agent": "agent_id"}},
	})
}

func TestAuth(t *testing.T) {
	scenario(t, "auth", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		return []apitest.Step{
			{Name: "health needs no key", Method: "GET", Path: "/healthz", Key: "-"},
			{Name: "missing key", Method: "GET", Path: "/v1/organizations", Key: "-"},
			{Name: "wrong key", Method: "GET", Path: "/v1/organizations", Key: "not-a-key"},
			{Name: "good key", Method: "GET", Path: "/v1/organizations"},
			{Name: "dashboard proxy prefix", Method: "GET", Path: "/api/proxy/v1/organizations/${org}"},
			{Name: "unknown route", Method: "GET", Path: "/v1/nothing-here"},
			{Name: "wrong method", Method: "PUT", Path: "/v1/agents"},
		}
	})
}

func TestOrganizations(t *testing.T) {
	scenario(t, "organizations", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		return []apitest.Step{
			{Name: "create", Method: "POST", Path: "/v1/organizations",
				Body:    `{"name": "My Company LLC", "contact_email": "owner@mycompany.example"}`,
				Capture: map[string]string{"new_org": "organization.unique_id"}},
			{Name: "name missing", Method: "POST", Path: "/v1/organizations", Body: `{"contact_email": "a@b.example"}`},
			{Name: "email missing", Method: "POST", Path: "/v1/organizations", Body: `{"name": "X"}`},
			{Name: "email malformed", Method: "POST", Path: "/v1/organizations", Body: `{"name": "X", "contact_email": "nope"}`},
			{Name: "wrong type", Method: "POST", Path: "/v1/organizations", Body: `{"name": 42, "contact_email": "a@b.example"}`},
			{Name: "malformed JSON", Method: "POST", Path: "/v1/organizations", Body: `{"name": "X",`},
			{Name: "not an object", Method: "POST", Path: "/v1/organizations", Body: `["x"]`},
			{Name: "empty body", Method: "POST", Path: "/v1/organizations"},
			{Name: "list holds the two, nothing from failed creates", Method: "GET", Path: "/v1/organizations"},
			{Name: "get", Method: "GET", Path: "/v1/organizations/${new_org}"},
			{Name: "get unknown", Method: "GET", Path: "/v1/organizations/1763070568417x000000000000000000"},
			{Name: "get other tenant's", Method: "GET", Path: "/v1/organizations/${other_org}"},
		}
	})
}

func TestUsers(t *testing.T) {
	scenario(t, "users", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		users := "/v1/organizations/${org}/users"
		return []apitest.Step{
			{Name: "create", Method: "POST", Path: users,
				Body:    `{"name": "John Smith", "email": "john@example.com", "phone": "(313) 555-0100", "permission": "user"}`,
				Capture: map[string]string{"john": "user.unique_id"}},
			{Name: "default permission is user", Method: "POST", Path: users,
				Body:    `{"name": "Jane Roe", "email": "jane@example.com"}`,
				Capture: map[string]string{"jane": "user.unique_id"}},
			{Name: "duplicate email, other case", Method: "POST", Path: users, Body: `{"name": "J2", "email": "JOHN@example.com"}`},
			{Name: "email missing", Method: "POST", Path: users, Body: `{"name": "No Mail"}`},
			{Name: "name missing", Method: "POST", Path: users, Body: `{"email": "nameless@example.com"}`},
			{Name: "bad permission", Method: "POST", Path: users, Body: `{"name": "A", "email": "a@example.com", "permission": "root"}`},
			{Name: "bad phone", Method: "POST", Path: users, Body: `{"name": "A", "email": "a@example.com", "phone": "12"}`},
			{Name: "unknown organization", Method: "POST", Path: "/v1/organizations/1x2/users", Body: `{"name": "A", "email": "a@example.com"}`},
			{Name: "other tenant's organization", Method: "POST", Path: "/v1/organizations/${other_org}/users", Body: `{"name": "A", "email": "a@example.com"}`},
			{Name: "list", Method: "GET", Path: users},
			{Name: "list other tenant's", Method: "GET", Path: "/v1/organizations/${other_org}/users"},
			{Name: "update", Method: "PATCH", Path: users + "/${john}", Body: `{"name": "John Q. Smith", "permission": "admin", "status": "inactive"}`},
			{Name: "update nothing", Method: "PATCH", Path: users + "/${john}", Body: `{"nickname": "JJ"}`},
			{Name: "update to a taken email", Method: "PATCH", Path: users + "/${john}", Body: `{"email": "jane@example.com"}`},
			{Name: "update bad status", Method: "PATCH", Path: users + "/${john}", Body: `{"status": "asleep"}`},
			{Name: "update unknown user", Method: "PATCH", Path: users + "/1x1", Body: `{"name": "X"}`},
			{Name: "update other tenant's user", Method: "PATCH", Path: "/v1/organizations/${other_org}/users/${other_user}", Body: `{"name": "X"}`},
			{Name: "list after updates", Method: "GET", Path: users},
		}
	})
}
