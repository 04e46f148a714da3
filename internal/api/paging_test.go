package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
)

// messagePage is what the campaign-messages endpoint answers, as far as paging needs.
type messagePage struct {
	Messages []struct {
		MessageID string `json:"message_id"`
		Timestamp string `json:"timestamp"`
	} `json:"messages"`
	HasMore      bool    `json:"has_more"`
	Cursor       *string `json:"cursor"`
	BeforeCursor *string `json:"before_cursor"`
}

// TestCampaignMessagesPageThroughTies launches a campaign of 5,000 contacts on a stopped clock,
// so every starting message has the same timestamp, and reads them all through the API 1,000
// at a time: back from the newest with before_cursor, each exactly once, and forward from
// before the launch with cursor, each at least once, as the polling recipe in the README does.
func TestCampaignMessagesPageThroughTies(t *testing.T) {
	const n, limit = 5000, 1000
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			srv := apitest.NewServer(t, b)
			campaignID := launchDryRun(t, srv, n)
			get := func(query string) messagePage {
				t.Helper()
				var page messagePage
				call(t, srv, "GET", "/v1/campaigns/"+campaignID+"/messages?limit="+fmt.Sprint(limit)+query, "", &page)
				return page
			}

			back := map[string]int{}
			for query, pages := "", 0; ; pages++ {
				if pages > n/limit {
					t.Fatalf("back: more pages than %d messages make", n)
				}
				page := get(query)
				for _, m := range page.Messages {
					back[m.MessageID]++
					if m.Timestamp != page.Messages[0].Timestamp {
						t.Fatalf("timestamps differ (%s, %s): the test needs ties", m.Timestamp, page.Messages[0].Timestamp)
					}
				}
				if !page.HasMore {
					break
				}
				query = "&before=" + url.QueryEscape(*page.BeforeCursor)
			}
			if len(back) != n {
				t.Errorf("back: %d distinct messages of %d", len(back), n)
			}
			for id, k := range back {
				if k != 1 {
					t.Errorf("back: %s read %d times", id, k)
				}
			}

			forward := map[string]bool{}
			query := "&since=" + url.QueryEscape(apitest.Epoch.Add(-time.Second).Format(time.RFC3339))
			deadline := time.Now().Add(time.Minute)
			for {
				page := get(query)
				for _, m := range page.Messages {
					forward[m.MessageID] = true
				}
				if !page.HasMore && len(forward) == n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("forward: %d distinct messages of %d after a minute of paging", len(forward), n)
				}
				query = "&after=" + url.QueryEscape(*page.Cursor)
			}
		})
	}
}

// launchDryRun creates an SMS agent and a dry-run campaign of n contacts, and returns the
// campaign's id.
func launchDryRun(t *testing.T, srv *apitest.Server, n int) string {
	t.Helper()
	var agent struct {
		AgentID string `json:"agent_id"`
	}
	call(t, srv, "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Pager", "starting_message": "Hi",
		"prompt": "Be brief.", "organization_id": "`+srv.OrgID+`", "user_id": "`+srv.AdminID+`"}`, &agent)
	contacts := make([]string, n)
	for i := range n {
		contacts[i] = fmt.Sprintf(`{"phone_number": "+1313%07d"}`, i)
	}
	call(t, srv, "POST", "/v1/campaigns", `{"campaign_id": "pages", "campaign_name": "Pages", "organization_id": "`+srv.OrgID+
		`", "user_id": "`+srv.AdminID+`", "sms_agent_id": "`+agent.AgentID+`", "teli_sms_number": "+13135727768",
		"dry_run": true, "contacts": [`+strings.Join(contacts, ",")+`]}`, nil)
	return "pages"
}

// call sends one request through the app's handler, fails t unless it succeeds, and decodes
// the response into out (when not nil).
func call(t *testing.T, srv *apitest.Server, method, path, body string, out any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-API-Key", apitest.Key)
	rec := httptest.NewRecorder()
	srv.App.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
