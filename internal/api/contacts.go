package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/contacts"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/leads"
	"github.com/openteli/teli/internal/teli"
)

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var in leads.CreateGroupInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	g, err := s.svc.Leads.CreateGroup(r.Context(), callerOf(r), in)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"group_id": g.UniqueID, "group_name": g.Name, "message": "Contact group created successfully",
	})
	return nil
}

// uploadContacts takes contacts as JSON ({list_id, organization_id, user_id, contacts}) or as a
// CSV file in a multipart form (file, list_id, organization_id, user_id).
func (s *Server) uploadContacts(w http.ResponseWriter, r *http.Request) error {
	to, parsed, err := parseUpload(r)
	if err != nil {
		return err
	}
	res, err := s.svc.Leads.UploadContacts(r.Context(), callerOf(r), to, parsed)
	if err != nil {
		return err
	}
	rejected := make([]obj, len(res.Rejected))
	for i, rj := range res.Rejected {
		rejected[i] = obj{"row": rj.Row, "phone_number": rj.Phone, "reason": rj.Reason}
	}
	writeOK(w, http.StatusOK, obj{
		"list_id": res.Group.UniqueID, "group_name": res.Group.Name,
		"contacts_imported": res.Imported, "contacts_rejected": len(res.Rejected), "rejected": rejected,
		"message": fmt.Sprintf("%d contacts added to group '%s'", res.Imported, res.Group.Name),
	})
	return nil
}

func parseUpload(r *http.Request) (leads.UploadTarget, contacts.Result, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return parseCSVUpload(r)
	}
	var in struct {
		ListID         *string            `json:"list_id"`
		OrganizationID *string            `json:"organization_id"`
		UserID         *string            `json:"user_id"`
		Contacts       *[]json.RawMessage `json:"contacts"`
	}
	if err := decodeBody(r, &in); err != nil {
		return leads.UploadTarget{}, contacts.Result{}, err
	}
	to := leads.UploadTarget{ListID: deref(in.ListID), OrganizationID: deref(in.OrganizationID), UserID: deref(in.UserID)}
	if in.Contacts == nil || len(*in.Contacts) == 0 {
		return to, contacts.Result{}, teli.Invalid("contacts must be a non-empty array (or upload a CSV file as multipart/form-data)")
	}
	return to, contacts.ParseJSON(*in.Contacts), nil
}

func parseCSVUpload(r *http.Request) (leads.UploadTarget, contacts.Result, error) {
	// Files larger than this stay on disk while they are parsed.
	const inMemory = 8 << 20
	if err := r.ParseMultipartForm(inMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return leads.UploadTarget{}, contacts.Result{}, errBodyTooLarge{tooLarge.Limit}
		}
		return leads.UploadTarget{}, contacts.Result{}, teli.Invalid("malformed multipart form: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	if err := checkValuesText(r.MultipartForm.Value, "form field names"); err != nil {
		return leads.UploadTarget{}, contacts.Result{}, err
	}
	to := leads.UploadTarget{
		ListID: strings.TrimSpace(r.FormValue("list_id")), OrganizationID: strings.TrimSpace(r.FormValue("organization_id")),
		UserID: strings.TrimSpace(r.FormValue("user_id")),
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return to, contacts.Result{}, teli.Invalid("file is required: a CSV file in the form field 'file'")
	}
	defer file.Close()
	parsed, err := contacts.ParseCSV(file, contacts.CSVOptions{})
	if err != nil {
		return to, parsed, teli.Invalid("%v", err)
	}
	return to, parsed, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	res, err := s.svc.Leads.CreateContact(r.Context(), callerOf(r), raw)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusCreated, obj{
		"contact_id": "contact_" + res.Lead.UniqueID, "list_id": res.Group.UniqueID,
		"group_name": res.Group.Name, "list_created": res.GroupCreated,
		"message": "Contact created successfully",
	})
	return nil
}

func (s *Server) groupContacts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	_, list, err := s.svc.Leads.GroupContacts(r.Context(), callerOf(r), r.PathValue("list_id"), q.Get("user_id"), q.Get("is_admin"))
	if err != nil {
		return err
	}
	views := make([]obj, len(list))
	for i, l := range list {
		views[i] = leadView(l)
		views[i]["lead_id"] = l.UniqueID
	}
	writeOK(w, http.StatusOK, obj{"total": len(views), "contacts": views})
	return nil
}

// Paging of the organization's leads: unpaginated unless page is given.
const (
	defaultLeadPageSize = 50
	maxLeadPageSize     = 200
)

func (s *Server) listLeads(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lq := leads.Query{
		ListScope: service.ListScope{OrganizationID: r.PathValue("org_id"), UserID: q.Get("user_id"), IsAdmin: q.Get("is_admin")},
		GroupID:   q.Get("group_id"), Phone: q.Get("phone_number"),
	}
	var err error
	if lq.Page, lq.PageSize, err = paging(q.Get("page"), q.Get("page_size")); err != nil {
		return err
	}
	list, total, err := s.svc.Leads.List(r.Context(), callerOf(r), lq)
	if err != nil {
		return err
	}
	views := make([]obj, len(list))
	for i, l := range list {
		views[i] = leadView(l)
	}
	body := obj{"count": len(views), "total": total, "leads": views}
	if lq.Page > 0 {
		body["page"], body["page_size"] = lq.Page, lq.PageSize
		body["total_pages"] = (total + lq.PageSize - 1) / lq.PageSize
	}
	writeOK(w, http.StatusOK, body)
	return nil
}

// paging reads page (1-based; empty: no paging) and page_size (default 50, at most 200).
func paging(page, size string) (int, int, error) {
	if page == "" {
		return 0, 0, nil
	}
	p, err := strconv.Atoi(page)
	if err != nil || p < 1 {
		return 0, 0, teli.Invalid("page must be a whole number, 1 or more")
	}
	n := defaultLeadPageSize
	if size != "" {
		if n, err = strconv.Atoi(size); err != nil || n < 1 || n > maxLeadPageSize {
			return 0, 0, teli.Invalid("page_size must be a whole number from 1 to %d", maxLeadPageSize)
		}
	}
	return p, n, nil
}

func (s *Server) deleteLeads(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		LeadIDs []string `json:"lead_ids"`
		GroupID *string  `json:"group_id"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	n, err := s.svc.Leads.Delete(r.Context(), callerOf(r), in.LeadIDs, deref(in.GroupID))
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"deleted_count": n, "requested_count": len(in.LeadIDs), "message": fmt.Sprintf("%d contacts deleted", n),
	})
	return nil
}
