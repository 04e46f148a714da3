// Package llmenv builds the configured llm.Provider from TELI_LLM_* environment variables. It
// lives outside package llm because it imports the adapters, which import llm.
//
//	TELI_LLM_PROVIDER     openai | anthropic; unset (or "none") runs Teli without AI
//	TELI_LLM_BASE_URL     API root; default https://api.openai.com/v1 or https://api.anthropic.com
//	                      (Ollama http://localhost:11434/v1, vLLM http://localhost:8000/v1,
//	                      llama-server http://localhost:8080/v1, LM Studio http://localhost:1234/v1)
//	TELI_LLM_API_KEY      API key; OPENAI_API_KEY or ANTHROPIC_API_KEY when unset
//	TELI_LLM_MODEL        model; default gpt-4.1-mini or claude-sonnet-4-5, required with a
//	                      non-OpenAI TELI_LLM_BASE_URL for the openai provider
//	TELI_LLM_TIMEOUT      per-attempt timeout as a Go duration ("30s"); default 60s
//	TELI_LLM_MAX_RETRIES  retries of a transient failure; default 2
package llmenv

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/anthropic"
	"github.com/openteli/teli/internal/llm/openai"
)

// The variables FromEnv reads.
const (
	Provider   = "TELI_LLM_PROVIDER"
	BaseURL    = "TELI_LLM_BASE_URL"
	APIKey     = "TELI_LLM_API_KEY"
	Model      = "TELI_LLM_MODEL"
	Timeout    = "TELI_LLM_TIMEOUT"
	MaxRetries = "TELI_LLM_MAX_RETRIES"

	OpenAIAPIKey    = "OPENAI_API_KEY"
	AnthropicAPIKey = "ANTHROPIC_API_KEY"
)

// settings are the provider-neutral values read from the environment.
type settings struct {
	baseURL, key, keyVar, model string
	timeout                     time.Duration
	retry                       llm.RetryPolicy
}

// FromEnv returns the provider the environment configures and a one-line description of it for
// the startup log (never the key). With no provider configured it returns a nil Provider and
// no error: the server runs without AI. Errors name the variable at fault.
func FromEnv(getenv func(string) string) (llm.Provider, string, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	name := strings.ToLower(get(Provider))
	if name == "" || name == "none" {
		for _, k := range []string{BaseURL, APIKey, Model, Timeout, MaxRetries} {
			if get(k) != "" && name == "" {
				return nil, "", fmt.Errorf("%s is set but %s is not: set %s=openai or anthropic", k, Provider, Provider)
			}
		}
		return nil, fmt.Sprintf("none (%s is not set: AI replies and extraction are off)", Provider), nil
	}
	s, err := read(get)
	if err != nil {
		return nil, "", err
	}
	switch name {
	case "openai":
		return newOpenAI(s, get)
	case "anthropic":
		return newAnthropic(s, get)
	}
	return nil, "", fmt.Errorf("%s=%q: want openai or anthropic", Provider, name)
}

func read(get func(string) string) (settings, error) {
	s := settings{baseURL: get(BaseURL), model: get(Model)}
	if v := get(Timeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("%s=%q: want a positive duration such as 30s", Timeout, v)
		}
		s.timeout = d
	}
	if v := get(MaxRetries); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s, fmt.Errorf("%s=%q: want a whole number of retries, 0 or more", MaxRetries, v)
		}
		s.retry.MaxRetries = new(n)
	}
	if s.baseURL != "" {
		u, err := url.Parse(s.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s, fmt.Errorf("%s=%q: want an absolute http(s) URL", BaseURL, s.baseURL)
		}
	}
	return s, nil
}

// key picks TELI_LLM_API_KEY, else the vendor's variable.
func (s *settings) pickKey(get func(string) string, vendorVar string) {
	s.key, s.keyVar = get(APIKey), APIKey
	if s.key == "" {
		s.key, s.keyVar = get(vendorVar), vendorVar
	}
}

func newOpenAI(s settings, get func(string) string) (llm.Provider, string, error) {
	s.pickKey(get, OpenAIAPIKey)
	official := s.baseURL == "" || hostOf(s.baseURL) == "api.openai.com"
	if official && s.key == "" {
		return nil, "", fmt.Errorf("%s (or %s) is required for the OpenAI API", APIKey, OpenAIAPIKey)
	}
	if !official && s.model == "" {
		return nil, "", fmt.Errorf("%s is required with %s=%s (the default %s is an OpenAI model)", Model, BaseURL, s.baseURL, openai.DefaultModel)
	}
	c, err := openai.New(openai.Config{BaseURL: s.baseURL, APIKey: s.key, Model: s.model,
		Timeout: s.timeout, Retry: s.retry})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", BaseURL, err)
	}
	return c, describe("openai", s, openai.DefaultModel, openai.DefaultBaseURL), nil
}

func newAnthropic(s settings, get func(string) string) (llm.Provider, string, error) {
	s.pickKey(get, AnthropicAPIKey)
	if s.key == "" && (s.baseURL == "" || hostOf(s.baseURL) == "api.anthropic.com") {
		return nil, "", fmt.Errorf("%s (or %s) is required for the Anthropic API", APIKey, AnthropicAPIKey)
	}
	c, err := anthropic.New(anthropic.Config{BaseURL: s.baseURL, APIKey: s.key, Model: s.model,
		Timeout: s.timeout, Retry: s.retry})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", BaseURL, err)
	}
	return c, describe("anthropic", s, anthropic.DefaultModel, anthropic.DefaultBaseURL), nil
}

// describe is the startup-log line: provider, model, endpoint and where the key came from.
func describe(provider string, s settings, defModel, defBase string) string {
	model, base := s.model, s.baseURL
	if model == "" {
		model = defModel
	}
	if base == "" {
		base = defBase
	}
	key := "no API key"
	if s.key != "" {
		key = "API key from " + s.keyVar
	}
	return fmt.Sprintf("%s model %s at %s (%s)", provider, model, base, key)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
