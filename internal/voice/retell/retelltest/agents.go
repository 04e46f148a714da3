package retelltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
)

// toolNameRE is Retell's rule for tool names.
var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// decodeFields decodes a request's fields into JSON-shaped values (null stays nil).
func decodeFields(body map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(body))
	for k, raw := range body {
		var v any
		_ = json.Unmarshal(raw, &v)
		out[k] = v
	}
	return out
}

// checkLLM validates the fields of a create-retell-llm or update-retell-llm request.
func checkLLM(f map[string]any) *reqError {
	if v, ok := f["start_speaker"]; ok && v != "user" && v != "agent" {
		return badRequest("start_speaker must be user or agent")
	}
	for _, k := range []string{"general_prompt", "begin_message", "model"} {
		if v, ok := f[k]; ok && v != nil {
			if _, isString := v.(string); !isString {
				return badRequest(k + " must be a string or null")
			}
		}
	}
	if v, ok := f["general_tools"]; ok && v != nil {
		tools, isArray := v.([]any)
		if !isArray {
			return badRequest("general_tools must be an array")
		}
		var names []string
		for i, t := range tools {
			tool, isObject := t.(map[string]any)
			if !isObject {
				return badRequest(fmt.Sprintf("general_tools[%d] must be an object", i))
			}
			if typ, _ := tool["type"].(string); typ == "" {
				return badRequest(fmt.Sprintf("general_tools[%d].type is required", i))
			}
			name, _ := tool["name"].(string)
			if !toolNameRE.MatchString(name) {
				return badRequest(fmt.Sprintf("general_tools[%d].name must be 1-64 characters of a-z A-Z 0-9 _ -", i))
			}
			if slices.Contains(names, name) {
				return badRequest(fmt.Sprintf("tool name %q is not unique", name))
			}
			names = append(names, name)
		}
	}
	if v, ok := f["knowledge_base_ids"]; ok && v != nil {
		ids, isArray := v.([]any)
		if !isArray {
			return badRequest("knowledge_base_ids must be an array of strings")
		}
		for _, id := range ids {
			if _, isString := id.(string); !isString {
				return badRequest("knowledge_base_ids must be an array of strings")
			}
		}
	}
	if v, ok := f["kb_config"]; ok && v != nil {
		kb, isObject := v.(map[string]any)
		if !isObject {
			return badRequest("kb_config must be an object")
		}
		if k, ok := kb["top_k"]; ok {
			n, isNumber := k.(float64)
			if !isNumber || n != float64(int(n)) || n < 1 || n > 10 {
				return badRequest("kb_config.top_k must be an integer from 1 to 10")
			}
		}
		if k, ok := kb["filter_score"]; ok {
			n, isNumber := k.(float64)
			if !isNumber || n < 0 || n > 1 {
				return badRequest("kb_config.filter_score must be between 0 and 1")
			}
		}
	}
	return nil
}

func (s *Server) createLLM(_ *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	f := decodeFields(body)
	if e := checkLLM(f); e != nil {
		return 0, nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("llm_", 28)
	if _, ok := f["model"]; !ok {
		f["model"] = "gpt-4.1"
	}
	f["llm_id"] = id
	f["version"] = 0
	f["is_published"] = false
	f["last_modification_timestamp"] = s.nowMS()
	s.llms[id] = f
	return http.StatusCreated, clone(f), nil
}

func (s *Server) getLLM(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.llms[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	return http.StatusOK, clone(l), nil
}

func (s *Server) updateLLM(r *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	f := decodeFields(body)
	if e := checkLLM(f); e != nil {
		return 0, nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.llms[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	for k, v := range f {
		switch k {
		case "llm_id", "version", "is_published", "last_modification_timestamp":
			continue
		}
		l[k] = v
	}
	l["last_modification_timestamp"] = s.nowMS()
	return http.StatusOK, clone(l), nil
}

func (s *Server) deleteLLM(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := s.llms[id]; !ok {
		return 0, nil, notFound("")
	}
	delete(s.llms, id)
	return http.StatusNoContent, nil, nil
}

// ambientSounds are the values of ambient_sound besides null.
var ambientSounds = []string{"coffee-shop", "convention-hall", "summer-outdoor", "mountain-outdoor", "static-noise", "call-center"}

// checkAgent validates the fields of a create-agent or update-agent request. The caller holds
// s.mu, since the response engine's LLM must exist.
func (s *Server) checkAgent(f map[string]any, create bool) *reqError {
	if v, ok := f["response_engine"]; ok || create {
		re, isObject := v.(map[string]any)
		if !isObject {
			return badRequest("response_engine is required")
		}
		switch re["type"] {
		case "retell-llm":
			id, _ := re["llm_id"].(string)
			if id == "" {
				return badRequest("response_engine.llm_id is required")
			}
			if _, ok := s.llms[id]; !ok {
				return notFound(fmt.Sprintf("llm %s not found", id))
			}
		case "custom-llm":
			if u, _ := re["llm_websocket_url"].(string); u == "" {
				return badRequest("response_engine.llm_websocket_url is required")
			}
		case "conversation-flow":
			if id, _ := re["conversation_flow_id"].(string); id == "" {
				return badRequest("response_engine.conversation_flow_id is required")
			}
		default:
			return badRequest("response_engine.type must be retell-llm, custom-llm or conversation-flow")
		}
	}
	if v, ok := f["voice_id"]; ok || create {
		if id, _ := v.(string); id == "" {
			return badRequest("voice_id is required")
		}
	}
	for _, k := range []string{"agent_name", "language", "webhook_url", "voice_emotion"} {
		if v, ok := f[k]; ok && v != nil {
			if _, isString := v.(string); !isString {
				return badRequest(k + " must be a string or null")
			}
		}
	}
	if v, ok := f["ambient_sound"]; ok && v != nil {
		if a, _ := v.(string); !slices.Contains(ambientSounds, a) {
			return badRequest("ambient_sound must be null or one of coffee-shop, convention-hall, summer-outdoor, mountain-outdoor, static-noise, call-center")
		}
	}
	if v, ok := f["voicemail_option"]; ok && v != nil {
		vo, isObject := v.(map[string]any)
		action, _ := vo["action"].(map[string]any)
		if !isObject || action == nil {
			return badRequest("voicemail_option.action is required")
		}
		switch action["type"] {
		case "static_text", "prompt":
			if _, isString := action["text"].(string); !isString {
				return badRequest("voicemail_option.action.text is required")
			}
		case "hangup", "bridge_transfer":
		default:
			return badRequest("voicemail_option.action.type must be static_text, prompt, hangup or bridge_transfer")
		}
	}
	return nil
}

func (s *Server) createAgent(_ *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	f := decodeFields(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkAgent(f, true); e != nil {
		return 0, nil, e
	}
	id := s.nextID("agent_", 26)
	f["agent_id"] = id
	f["version"] = 0
	f["is_published"] = false
	f["last_modification_timestamp"] = s.nowMS()
	s.agents[id] = f
	return http.StatusCreated, clone(f), nil
}

func (s *Server) getAgent(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	return http.StatusOK, clone(a), nil
}

func (s *Server) updateAgent(r *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	f := decodeFields(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	if e := s.checkAgent(f, false); e != nil {
		return 0, nil, e
	}
	for k, v := range f {
		switch k {
		case "agent_id", "version", "is_published", "last_modification_timestamp":
			continue
		}
		a[k] = v
	}
	a["last_modification_timestamp"] = s.nowMS()
	return http.StatusOK, clone(a), nil
}

func (s *Server) deleteAgent(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := s.agents[id]; !ok {
		return 0, nil, notFound("")
	}
	delete(s.agents, id)
	return http.StatusNoContent, nil, nil
}
