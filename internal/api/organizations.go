package api

import (
	"net/http"

	"github.com/openteli/teli/internal/service/tenancy"
)

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, obj{"status": "ok", "powered_by": poweredBy})
	return nil
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) error {
	var in tenancy.CreateOrganizationInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	org, err := s.svc.Tenancy.CreateOrganization(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"organization": organizationSummary(org)})
	return nil
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.svc.Tenancy.ListOrganizations(r.Context(), callerOf(r))
	if err != nil {
		return err
	}
	views := make([]obj, len(orgs))
	for i, o := range orgs {
		u, err := s.svc.Tenancy.Usage(r.Context(), callerOf(r), o.UniqueID, "")
		if err != nil {
			return err
		}
		views[i] = withUsage(organizationView(o), u)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "organizations": views})
	return nil
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) error {
	org, err := s.svc.Tenancy.GetOrganization(r.Context(), callerOf(r), r.PathValue("org_id"))
	if err != nil {
		return err
	}
	u, err := s.svc.Tenancy.Usage(r.Context(), callerOf(r), org.UniqueID, "")
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"organization": withUsage(organizationView(org), u)})
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in tenancy.CreateUserInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u, err := s.svc.Tenancy.CreateUser(r.Context(), callerOf(r), r.PathValue("org_id"), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{"user": userSummary(u)})
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.svc.Tenancy.ListUsers(r.Context(), callerOf(r), r.PathValue("org_id"))
	if err != nil {
		return err
	}
	views := make([]obj, len(users))
	for i, u := range users {
		usage, err := s.svc.Tenancy.Usage(r.Context(), callerOf(r), u.OrganizationID, u.UniqueID)
		if err != nil {
			return err
		}
		views[i] = withUsage(userView(u), usage)
	}
	writeOK(w, http.StatusOK, obj{"count": len(views), "users": views})
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var in tenancy.UpdateUserInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u, err := s.svc.Tenancy.UpdateUser(r.Context(), callerOf(r), r.PathValue("org_id"), r.PathValue("user_id"), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"message": "User updated successfully",
		"user": obj{
			"unique_id": u.UniqueID, "name": u.Name, "email": u.Email,
			"permission": string(u.Permission), "phone": nullable(u.Phone), "status": u.Status,
		},
	})
	return nil
}
