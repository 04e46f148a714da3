package api_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/store/dbtest"
	"github.com/openteli/teli/internal/teli"
)

// bodyExamples holds, for every /v1 route of routes.go that takes a JSON body, the path to send
// it to and a valid body. ${name} is filled from inputServer.vars.
var bodyExamples = map[string]struct{ path, body string }{
	"POST /v1/organizations": {"/v1/organizations", `{"name": "Fuzz Co", "contact_email": "fuzz@example.com"}`},
	"POST /v1/organizations/{org_id}/users": {"/v1/organizations/${org}/users",
		`{"name": "Fay Fuzz", "email": "fay@example.com", "phone": "(313) 555-0100", "permission": "user"}`},
	"PATCH /v1/organizations/{org_id}/users/{user_id}": {"/v1/organizations/${org}/users/${user}",
		`{"name": "Uma User", "email": "uma@example.com", "permission": "user", "phone": "+13135550100", "status": "active"}`},
	"POST /v1/agents": {"/v1/agents", `{"agent_type": "sms", "agent_name": "Bot", "starting_message": "Hi {{first_name}}",
		"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}", "extraction_fields": ["credit_score"],
		"drip_schedule": [{"day": 1, "message": "Checking in"}]}`},
	"PATCH /v1/agents/{agent_id}": {"/v1/agents/${agent}", `{"agent_name": "Refi bot", "prompt": "Be brief.", "starting_message": "Hi"}`},
	"PATCH /v1/agents/{agent_id}/tools": {"/v1/agents/${voice_agent}/tools",
		`{"tools": [{"type": "end_call", "name": "end_call"}, {"type": "custom", "name": "lookup", "description": "Look up",
		"url": "https://api.example.com/o", "method": "GET"}]}`},
	"POST /v1/contacts/groups": {"/v1/contacts/groups",
		`{"organization_id": "${org}", "user_id": "${admin}", "group_name": "Fuzz", "description": "From the fuzzer"}`},
	"POST /v1/contacts/lists": {"/v1/contacts/lists", `{"list_id": "${list}", "organization_id": "${org}", "user_id": "${admin}",
		"contacts": [{"phone_number": "+13135550020", "first_name": "Gil", "do_not_call": false, "notes": "n"}]}`},
	"POST /v1/contacts": {"/v1/contacts",
		`{"phone_number": "+13135550021", "first_name": "Hal", "list_id": "${list}", "organization_id": "${org}", "user_id": "${admin}"}`},
	// An unknown lead: a delete that succeeds deletes nothing the other examples use.
	"POST /v1/contacts/leads/delete": {"/v1/contacts/leads/delete", `{"lead_ids": ["contact_1769196600000x000000000000999999"], "group_id": "${list}"}`},
	"POST /v1/campaigns": {"/v1/campaigns", `{"campaign_id": "fuzz", "campaign_name": "Fuzz", "organization_id": "${org}",
		"user_id": "${admin}", "sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "dry_run": true,
		"followup_interval": 24, "objective_prompt": "Qualify", "contacts": [{"phone_number": "+13135550030", "first_name": "Ida"}]}`},
	"POST /v1/campaigns/{campaign_id}/leads": {"/v1/campaigns/${campaign}/leads", `{"clients": [{"phone_number": "+13135550031", "first_name": "Jo"}]}`},
	"POST /v1/threads/assign": {"/v1/threads/assign", `{"campaign_id": "${campaign}", "phone_number": "+13135550002",
		"assigned_user_id": "${user}", "organization_id": "${org}", "assigned_by": "${admin}"}`},
	"POST /v1/threads/unassign": {"/v1/threads/unassign", `{"campaign_id": "${campaign}", "phone_number": "+13135550002"}`},
	"POST /v1/sms/send":         {"/v1/sms/send", `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "message": "Hi", "user_id": "${user}"}`},
	"POST /v1/mms/send": {"/v1/mms/send", `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "message": "Hi",
		"media_url": "https://cdn.example.com/a.png"}`},
	"POST /v1/sms/bulk-send": {"/v1/sms/bulk-send", `{"campaign_id": "${campaign}", "phone_numbers": ["+13135550001", "+13135550002"],
		"message": "Hi {{first_name}}"}`},
	"POST /v1/sandbox/inbound": {"/v1/sandbox/inbound", `{"from": "+13135550002", "to": "+13135727768", "body": "Yes"}`},
	"POST /v1/voice/phone-numbers/create": {"/v1/voice/phone-numbers/create",
		`{"area_code": "313", "user_id": "${admin}", "organization_id": "${org}", "tenant_id": "default", "nickname": "Fuzz line"}`},
	"POST /v1/voice/phone-numbers/{phone_number}/update-agent": {"/v1/voice/phone-numbers/${voice_number}/update-agent",
		`{"inbound_agent_id": "${voice_agent}", "outbound_agent_id": "", "nickname": "Desk"}`},
	"POST /v1/voice/campaigns": {"/v1/voice/campaigns", `{"voice_agent_id": "${voice_agent}", "agent_outbound_number": "${voice_number}",
		"organization_id": "${org}", "user_id": "${admin}", "number_pool": [{"phone_number": "${voice_number}"}],
		"campaign_begin_time": "2026-03-02T15:00:00Z", "redial_enabled": true, "redial_config": {"retry_limit": 1, "call_interval_days": 1},
		"leads": [{"phone_number": "+13135550040", "first_name": "Kim", "loan_amount": "350000"}]}`},
	"POST /v1/voice/calls": {"/v1/voice/calls", `{"from_number": "${voice_number}", "to_number": "+13135550041",
		"voice_agent_id": "${voice_agent}", "dynamic_variables": {"first_name": "Lou"}}`},
	// The quiet server runs no simulation, so these are refused (a number not ours, an unknown
	// call): what is checked is that bad input is refused the same way and changes nothing.
	"POST /v1/sandbox/calls":               {"/v1/sandbox/calls", `{"from": "+13135550042", "to": "+13135550199"}`},
	"POST /v1/sandbox/calls/{call_id}/say": {"/v1/sandbox/calls/call_00000000000000000000000000/say", `{"text": "Hello?"}`},
}

// bodylessRoutes are the POST routes that read no body.
var bodylessRoutes = []string{
	"POST /v1/campaigns/{campaign_id}/pause", "POST /v1/campaigns/{campaign_id}/resume", "POST /v1/campaigns/{campaign_id}/end",
	"POST /v1/voice/campaigns/{campaign_id}/pause", "POST /v1/voice/campaigns/{campaign_id}/resume",
	"POST /v1/sandbox/calls/{call_id}/hangup",
}

// fuzzRoute is one route's example body, as a value, with every value in it that the fuzzer
// may replace.
type fuzzRoute struct {
	pattern, path string
	body          any
	slots         [][]any // paths into body: map keys and slice indexes
}

// FuzzV1Routes sends every /v1 route that takes a JSON body its example body with one value
// (a field, an element, or a nested object or array) replaced by the fuzzer's bytes, written
// as a JSON string or inserted raw, to one server per backend. The answer is never a 5xx, a 4xx
// is Teli's error envelope and changes nothing in the database, and a string that breaks the
// text rule is refused naming its place.
func FuzzV1Routes(f *testing.F) {
	routes := fuzzRoutes(f)
	var servers []*fuzzServer
	for _, b := range apitest.Backends() {
		s := newInputServer(f, b)
		servers = append(servers, &fuzzServer{inputServer: s, last: s.fingerprint(f)})
	}
	for i, r := range routes {
		for j := range r.slots {
			f.Add(uint8(i), uint8(j), false, []byte("a\x00b"))
		}
		f.Add(uint8(i), uint8(0), true, []byte(`{"x": [1, "\u0000"]}`))
	}
	f.Fuzz(func(t *testing.T, route, slot uint8, raw bool, data []byte) {
		r := routes[int(route)%len(routes)]
		at := r.slots[int(slot)%len(r.slots)]
		value := jsonStringOf(data)
		if raw {
			value = string(data)
		}
		for _, s := range servers {
			s.check(t, r, at, value, !raw && !teli.IsText(string(data)))
		}
	})
}

// fuzzServer is an inputServer that remembers its database's fingerprint between inputs: only
// requests change it, since the server runs no background jobs.
type fuzzServer struct {
	*inputServer
	last dbtest.Fingerprint
}

// check sends r's body with the value at slot replaced by value, and checks the answer.
func (s *fuzzServer) check(t *testing.T, r fuzzRoute, slot []any, value string, notTextValue bool) {
	t.Helper()
	body := withValue(t, r.body, slot, value)
	method, _, _ := strings.Cut(r.pattern, " ")
	rec := s.serve(method, s.fill(r.path), body, nil)
	before := s.last
	s.last = s.fingerprint(t)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["powered_by"] != "Teli" {
		t.Fatalf("%s %s: %d %q is not Teli's envelope", r.pattern, body, rec.Code, rec.Body)
	}
	switch {
	case rec.Code >= 500:
		t.Fatalf("%s %s: %d %v", r.pattern, body, rec.Code, out)
	case rec.Code >= 400:
		text := refused(t, rec.Code, out)
		if diff := dbtest.Diff(before, s.last); diff != "" {
			t.Fatalf("%s %s: refused with %d %q, yet changed %s", r.pattern, body, rec.Code, text, diff)
		}
		if want := notText(slotName(slot)); notTextValue && (rec.Code != 400 || text != want) {
			t.Fatalf("%s %s: %d %q, want 400 %q", r.pattern, body, rec.Code, text, want)
		}
	case notTextValue:
		t.Fatalf("%s %s: %d %v, want the text rule's 400", r.pattern, body, rec.Code, out)
	case out["success"] != true:
		t.Fatalf("%s %s: %d %v", r.pattern, body, rec.Code, out)
	}
}

// fuzzRoutes reads the route table from routes.go and returns the routes with a JSON body,
// failing when one has no example.
func fuzzRoutes(tb testing.TB) []fuzzRoute {
	tb.Helper()
	var routes []fuzzRoute
	seen := map[string]bool{}
	for _, pattern := range routePatterns(tb) {
		method, path, _ := strings.Cut(pattern, " ")
		if (method != "POST" && method != "PATCH") || !strings.HasPrefix(path, "/v1/") || slices.Contains(bodylessRoutes, pattern) {
			continue
		}
		seen[pattern] = true
		ex, ok := bodyExamples[pattern]
		if !ok {
			tb.Fatalf("route %s takes a body but bodyExamples has none", pattern)
		}
		var body any
		if err := json.Unmarshal([]byte(ex.body), &body); err != nil {
			tb.Fatalf("%s: example body: %v", pattern, err)
		}
		r := fuzzRoute{pattern: pattern, path: ex.path, body: body}
		r.slots = valuePaths(body, nil)
		routes = append(routes, r)
	}
	for pattern := range bodyExamples {
		if !seen[pattern] {
			tb.Fatalf("bodyExamples has %s, which routes.go does not serve", pattern)
		}
	}
	slices.SortFunc(routes, func(a, b fuzzRoute) int { return strings.Compare(a.pattern, b.pattern) })
	return routes
}

// routePatterns returns the pattern of every m.Handle call in routes.go.
func routePatterns(tb testing.TB) []string {
	tb.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var patterns []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Handle" {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				p, _ := strconv.Unquote(lit.Value)
				patterns = append(patterns, p)
			}
		}
		return true
	})
	if len(patterns) == 0 {
		tb.Fatal("routes.go registers no routes")
	}
	return patterns
}

// valuePaths lists the path of every value inside v (not v itself), parents before children,
// object members in name order.
func valuePaths(v any, prefix []any) [][]any {
	var out [][]any
	add := func(step any, child any) {
		p := append(slices.Clone(prefix), step)
		out = append(out, p)
		out = append(out, valuePaths(child, p)...)
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			add(k, v[k])
		}
	case []any:
		for i, e := range v {
			add(i, e)
		}
	}
	return out
}

// slotName names a path as the API's errors do: contacts[0].first_name.
func slotName(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch step := step.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", step)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(step)
		}
	}
	return b.String()
}

// fuzzMark stands for the fuzzed value while the body is encoded; no example holds it.
const fuzzMark = "\x01fuzz\x01"

// withValue encodes body with the value at path replaced by the JSON text value.
func withValue(t *testing.T, body any, path []any, value string) string {
	t.Helper()
	out, err := json.Marshal(replaced(body, path))
	if err != nil {
		t.Fatal(err)
	}
	mark, _ := json.Marshal(fuzzMark)
	return strings.Replace(string(out), string(mark), value, 1)
}

// replaced is a copy of v with the value at path replaced by fuzzMark.
func replaced(v any, path []any) any {
	if len(path) == 0 {
		return fuzzMark
	}
	switch v := v.(type) {
	case map[string]any:
		c := maps.Clone(v)
		k := path[0].(string)
		c[k] = replaced(v[k], path[1:])
		return c
	case []any:
		c := slices.Clone(v)
		i := path[0].(int)
		c[i] = replaced(v[i], path[1:])
		return c
	}
	return v
}

// jsonStringOf writes data as a JSON string literal byte for byte: quotes, backslashes and
// control characters are escaped (NUL as \u0000), and every other byte, UTF-8 or not, is kept.
func jsonStringOf(data []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range data {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
