package rowjson

import (
	"encoding/json"

	"github.com/openteli/teli/internal/teli"
)

// EncodeOptional stores an optional document (an extraction, a voice request) as JSON; nil is
// the empty string.
func EncodeOptional[T any](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// DecodeOptional reads what EncodeOptional wrote.
func DecodeOptional[T any](doc string) (*T, error) {
	if doc == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return nil, err
	}
	return v, nil
}

// ThreadAI holds a thread's AI documents as stored.
type ThreadAI struct {
	Extraction, VoiceRequest string
}

// DecodeInto fills t's AI documents.
func (d ThreadAI) DecodeInto(t *teli.Thread) error {
	var err error
	if t.Extraction, err = DecodeOptional[teli.Extraction](d.Extraction); err != nil {
		return err
	}
	t.VoiceRequest, err = DecodeOptional[teli.VoiceRequest](d.VoiceRequest)
	return err
}
