package llmenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/anthropic"
	"github.com/openteli/teli/internal/llm/anthropic/anthropictest"
	"github.com/openteli/teli/internal/llm/llmenv"
	"github.com/openteli/teli/internal/llm/openai"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string // "" for a nil provider; else "openai" or "anthropic"
		desc    string // substring of the description
		wantErr string // substring naming the variable
	}{
		{name: "nothing", env: nil, desc: "none (TELI_LLM_PROVIDER is not set"},
		{name: "vendor key alone does not enable AI", env: map[string]string{"OPENAI_API_KEY": "sk"}, desc: "none"},
		{name: "explicit none", env: map[string]string{"TELI_LLM_PROVIDER": "none"}, desc: "none"},
		{name: "model without provider", env: map[string]string{"TELI_LLM_MODEL": "gpt-4o"}, wantErr: "TELI_LLM_MODEL is set but TELI_LLM_PROVIDER is not"},
		{name: "unknown provider", env: map[string]string{"TELI_LLM_PROVIDER": "gemini"}, wantErr: "TELI_LLM_PROVIDER"},
		{name: "openai defaults", env: map[string]string{"TELI_LLM_PROVIDER": "OpenAI", "TELI_LLM_API_KEY": "sk"}, want: "openai",
			desc: "openai model gpt-4.1-mini at https://api.openai.com/v1 (API key from TELI_LLM_API_KEY)"},
		{name: "openai vendor key", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "sk"}, want: "openai",
			desc: "(API key from OPENAI_API_KEY)"},
		{name: "openai without key", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "ANTHROPIC_API_KEY": "x"}, wantErr: "TELI_LLM_API_KEY (or OPENAI_API_KEY) is required"},
		{name: "ollama", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_BASE_URL": "http://localhost:11434/v1", "TELI_LLM_MODEL": "llama3.2"}, want: "openai",
			desc: "openai model llama3.2 at http://localhost:11434/v1 (no API key)"},
		{name: "local server needs a model", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_BASE_URL": "http://localhost:8000/v1"}, wantErr: "TELI_LLM_MODEL is required"},
		{name: "bad base URL", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_BASE_URL": "localhost:11434", "TELI_LLM_MODEL": "m"}, wantErr: "TELI_LLM_BASE_URL"},
		{name: "bad timeout", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_API_KEY": "sk", "TELI_LLM_TIMEOUT": "30"}, wantErr: "TELI_LLM_TIMEOUT"},
		{name: "bad retries", env: map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_API_KEY": "sk", "TELI_LLM_MAX_RETRIES": "-1"}, wantErr: "TELI_LLM_MAX_RETRIES"},
		{name: "anthropic defaults", env: map[string]string{"TELI_LLM_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "sk-ant"}, want: "anthropic",
			desc: "anthropic model claude-sonnet-4-5 at https://api.anthropic.com (API key from ANTHROPIC_API_KEY)"},
		{name: "anthropic key precedence", env: map[string]string{"TELI_LLM_PROVIDER": "anthropic", "TELI_LLM_API_KEY": "a", "ANTHROPIC_API_KEY": "b", "TELI_LLM_MODEL": "claude-haiku-4-5"}, want: "anthropic",
			desc: "model claude-haiku-4-5 at https://api.anthropic.com (API key from TELI_LLM_API_KEY)"},
		{name: "anthropic without key", env: map[string]string{"TELI_LLM_PROVIDER": "anthropic", "OPENAI_API_KEY": "sk"}, wantErr: "TELI_LLM_API_KEY (or ANTHROPIC_API_KEY) is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, desc, err := llmenv.FromEnv(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(desc, tt.desc) || strings.Contains(desc, "sk") {
				t.Errorf("description %q, want it to contain %q and no key", desc, tt.desc)
			}
			switch tt.want {
			case "":
				if p != nil {
					t.Errorf("provider = %T, want nil", p)
				}
			case "openai":
				if _, ok := p.(*openai.Client); !ok {
					t.Errorf("provider = %T", p)
				}
			case "anthropic":
				if _, ok := p.(*anthropic.Client); !ok {
					t.Errorf("provider = %T", p)
				}
			}
		})
	}
}

// The built providers talk to the fakes with the configured key, model and retry count.
func TestFromEnvProvidersWork(t *testing.T) {
	oa := openaitest.New(t, openaitest.Options{APIKey: "sk-o", Models: []string{"qwen3"}})
	oa.Push(openaitest.Reply{Error: openaitest.RateLimited("0").Ptr()}, openaitest.Reply{Content: "from openai"})
	an := anthropictest.New(t, anthropictest.Options{APIKey: "sk-a"})
	an.Push(anthropictest.Reply{Text: "from anthropic"})
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TELI_LLM_PROVIDER": "openai", "TELI_LLM_BASE_URL": oa.URL, "TELI_LLM_MODEL": "qwen3", "OPENAI_API_KEY": "sk-o", "TELI_LLM_MAX_RETRIES": "1"},
			"from openai"},
		{map[string]string{"TELI_LLM_PROVIDER": "anthropic", "TELI_LLM_BASE_URL": an.URL, "TELI_LLM_API_KEY": "sk-a", "TELI_LLM_TIMEOUT": "5s"},
			"from anthropic"},
	} {
		p, _, err := llmenv.FromEnv(env(tt.env))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := p.Complete(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}})
		if err != nil || resp.Text != tt.want {
			t.Errorf("%v: %q %v", tt.env, resp.Text, err)
		}
	}
	if n := len(oa.Requests()); n != 2 {
		t.Errorf("openai fake saw %d requests, want 2 (one retry)", n)
	}
}
