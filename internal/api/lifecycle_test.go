package api_test

import "testing"

// TestLifecycleTakesNoBody: pause, resume and end accept no body or {} and refuse anything
// else with a 400, changing nothing.
func TestLifecycleTakesNoBody(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_body", "+13135550001", false)
		for _, action := range []string{"pause", "resume", "end"} {
			for _, body := range []string{`{"reason": "holiday"}`, `[]`, `null`, `"now"`, `{`} {
				_, out := c.do("POST", "/v1/campaigns/camp_body/"+action, body, 400)
				if want := action + " takes no request body: send none or {}"; out["error"] != want {
					t.Errorf("%s with %s: error %q, want %q", action, body, out["error"], want)
				}
			}
			if got := c.status("camp_body"); got != map[string]string{"pause": "ACTIVE", "resume": "PAUSED", "end": "ACTIVE"}[action] {
				t.Fatalf("a refused %s changed the campaign to %s", action, got)
			}
			body := map[string]string{"pause": `{}`, "resume": " { } ", "end": ""}[action]
			c.do("POST", "/v1/campaigns/camp_body/"+action, body, 200)
		}
		if got := c.status("camp_body"); got != "ENDED" {
			t.Errorf("after pause, resume and end the campaign is %s", got)
		}
	})
}
