package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// untouched fails the test unless the thread of phone in campaign id is still the AI's and
// holds nothing but its starting message.
func (c caller) untouched(id, phone string) {
	c.t.Helper()
	_, list := c.do("GET", "/v1/campaigns/"+id+"/contacts?user_id=${admin}&is_admin=true", "", 200)
	for _, ct := range list["contacts"].([]any) {
		ct := ct.(map[string]any)
		if ct["phone_number"] == phone && (ct["status"] != "active" || ct["ai_active"] != true) {
			c.t.Errorf("%s: thread %v, ai_active %v after a refused send", phone, ct["status"], ct["ai_active"])
		}
	}
	_, th := c.do("GET", "/v1/campaigns/"+id+"/threads/"+strings.Replace(phone, "+", "%2B", 1)+"_"+id+"/messages", "", 200)
	if msgs := th["messages"].([]any); len(msgs) != 1 {
		c.t.Errorf("%s: %d messages in the thread after a refused send, want only the starting message", phone, len(msgs))
	}
}

// TestTooLongMessagesChangeNothing: a message longer than the send gate lets through is a 400
// naming the count and the limit, before anything is queued or taken over.
func TestTooLongMessagesChangeNothing(t *testing.T) {
	emoji := strings.Repeat("😀", 20000) // 607 UCS-2 segments
	huge := strings.Repeat("a", 900<<10)
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_long", "+13135550001", false)
		for _, tc := range []struct{ name, path, body, want string }{
			{"sms, 20,000 emoji", "/v1/sms/send", `{"campaign_id": "camp_long", "phone_number": "+13135550001", "message": ` + jsonString(emoji) + `}`,
				"message is 607 segments; at most 10 are allowed"},
			{"sms, 900 KB", "/v1/sms/send", `{"campaign_id": "camp_long", "phone_number": "+13135550001", "message": "` + huge + `"}`,
				"message is 6024 segments; at most 10 are allowed"},
			{"mms", "/v1/mms/send", `{"campaign_id": "camp_long", "phone_number": "+13135550001", "media_url": "https://cdn.example.com/a.png", "message": ` + jsonString(emoji) + `}`,
				"message is 607 segments; at most 10 are allowed"},
			{"bulk, a text without variables is too long for everyone", "/v1/sms/bulk-send", `{"campaign_id": "camp_long", "phone_numbers": ["+13135550001"], "message": ` + jsonString(emoji) + `}`,
				"message is 607 segments; at most 10 are allowed"},
		} {
			_, out := c.do("POST", tc.path, tc.body, 400)
			if out["error"] != tc.want {
				t.Errorf("%s: error %q, want %q", tc.name, out["error"], tc.want)
			}
		}
		c.untouched("camp_long", "+13135550001")
	})
}

// TestBulkSendTooLongForOneRecipient: a text with variables is checked once filled in; the
// recipient whose text comes out too long fails, the others are sent.
func TestBulkSendTooLongForOneRecipient(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		long := strings.Repeat("Lo", 60)
		c.do("POST", "/v1/campaigns", `{"campaign_id": "camp_bulk", "campaign_name": "Refi", "organization_id": "${org}", "user_id": "${admin}",
			"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "contacts": [
			{"phone_number": "+13135550001", "first_name": "Cy"}, {"phone_number": "+13135550002", "first_name": "`+long+`"}]}`, 200)
		text := strings.Repeat("a", 1500) + " {{first_name}}" // 10 segments for Cy, 11 for the long name
		_, out := c.do("POST", "/v1/sms/bulk-send", `{"campaign_id": "camp_bulk", "phone_numbers": ["+13135550001", "+13135550002"], "message": "`+text+`"}`, 200)
		if out["message"] != "Bulk SMS complete: 1 sent, 1 failed" {
			t.Errorf("message %q", out["message"])
		}
		results := out["results"].([]any)
		if r := results[0].(map[string]any); r["status"] != "sent" {
			t.Errorf("Cy: %v", r)
		}
		r := results[1].(map[string]any)
		if r["status"] != "failed" || r["error"] != "message is 11 segments; at most 10 are allowed" || r["message_id"] != nil {
			t.Errorf("the long name: %v", r)
		}
		c.untouched("camp_bulk", "+13135550002")
	})
}

// TestSendToAnInvalidNumber: a phone_number that is not a phone number is a 400 saying so, on
// every send endpoint; the spec's 404 "Client … not found" stays for a valid number the
// campaign does not have.
func TestSendToAnInvalidNumber(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_num", "+13135550001", false)
		const want = `phone_number: "garbage" is not a phone number`
		for _, tc := range []struct{ path, body string }{
			{"/v1/sms/send", `{"campaign_id": "camp_num", "phone_number": "garbage", "message": "Hi"}`},
			{"/v1/mms/send", `{"campaign_id": "camp_num", "phone_number": "garbage", "media_url": "https://cdn.example.com/a.png"}`},
		} {
			if _, out := c.do("POST", tc.path, tc.body, 400); out["error"] != want {
				t.Errorf("%s: error %q, want %q", tc.path, out["error"], want)
			}
		}
		_, out := c.do("POST", "/v1/sms/send", `{"campaign_id": "camp_num", "phone_number": "3135550099", "message": "Hi"}`, 404)
		if out["error"] != "Client +13135550099 not found in campaign camp_num" {
			t.Errorf("a valid number not in the campaign: %q", out["error"])
		}
		c.untouched("camp_num", "+13135550001")
		_, out = c.do("POST", "/v1/sms/bulk-send", `{"campaign_id": "camp_num", "phone_numbers": ["garbage", "+13135550001"], "message": "Hi"}`, 200)
		r := out["results"].([]any)[0].(map[string]any)
		if r["status"] != "failed" || r["error"] != `"garbage" is not a phone number` || r["phone_number"] != "garbage" {
			t.Errorf("bulk result for garbage: %v", r)
		}
		if out["sent"] != 1.0 || out["failed"] != 1.0 {
			t.Errorf("bulk: %v sent, %v failed", out["sent"], out["failed"])
		}
	})
}
