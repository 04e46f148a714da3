package llm

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

var (
	// thinkBlock is the reasoning trace some local models (Qwen, DeepSeek-R1 via Ollama or
	// llama.cpp) put before the answer; braces inside it must not be mistaken for the answer.
	thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)
	// codeFence is a Markdown code block, optionally tagged ("```json").
	codeFence = regexp.MustCompile("(?s)```[a-zA-Z0-9_-]*[ \t]*\n?(.*?)```")
)

// ExtractJSON finds the JSON value in a model's text answer, for servers that ignore a
// requested response format (older vLLM and llama.cpp builds, models without grammar support)
// and answer "Sure! Here it is: ```json {…}```". Only an object or an array is accepted. It
// tries, in order: the whole text; each
// Markdown code block; the first '{' from which a complete JSON object parses. A <think>…</think>
// reasoning block is skipped. The result is compacted; ok is false when no JSON was found.
func ExtractJSON(text string) (v json.RawMessage, ok bool) {
	text = thinkBlock.ReplaceAllString(text, "")
	if v, ok := compactJSON(text); ok {
		return v, true
	}
	for _, m := range codeFence.FindAllStringSubmatch(text, -1) {
		if v, ok := compactJSON(m[1]); ok {
			return v, true
		}
	}
	for i := strings.IndexByte(text, '{'); i >= 0; {
		var raw json.RawMessage
		if err := json.NewDecoder(strings.NewReader(text[i:])).Decode(&raw); err == nil {
			if v, ok := compactJSON(string(raw)); ok {
				return v, true
			}
		}
		next := strings.IndexByte(text[i+1:], '{')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return nil, false
}

// compactJSON returns s compacted when it is exactly one valid JSON object or array (a bare
// string or number is too likely to be prose).
func compactJSON(s string) (json.RawMessage, bool) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '{' && s[0] != '[') || !json.Valid([]byte(s)) {
		return nil, false
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return nil, false
	}
	return b.Bytes(), true
}
