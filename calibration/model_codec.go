package calibration

import (
	"encoding/json"
	"fmt"
)

// EncodeModel is the persisted form of a fitted model (JSON, which
// round-trips every parameter exactly). Storage keeps the bytes opaque.
func EncodeModel(m *Model) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no model", ErrInvalidInput)
	}
	return json.Marshal(m)
}

// DecodeModel reads a model written by EncodeModel and checks it, so a
// damaged record fails here instead of predicting nonsense.
func DecodeModel(b []byte) (*Model, error) {
	m := &Model{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("stored model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("stored model: %w", err)
	}
	return m, nil
}
