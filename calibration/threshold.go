package calibration

// highCertaintyAlpha makes the precision bound one-sided 95%.
const highCertaintyAlpha = 0.05

// Threshold is the high_certainty cut: keep items whose score (see
// Selection's Basis) is >= Threshold. FixedSequence chooses it. Coverage, Precision and Kept describe the kept set on the data
// it was chosen on; LowerBound is the one-sided 95% Clopper-Pearson lower
// bound on its precision.
type Threshold struct {
	Found      bool    `json:"found"`
	Threshold  float64 `json:"threshold"`   // keep items with prob >= Threshold
	Coverage   float64 `json:"coverage"`    // share of items kept
	Precision  float64 `json:"precision"`   // accuracy among kept
	LowerBound float64 `json:"lower_bound"` // Clopper-Pearson one-sided 95% lower bound on precision
	Kept       int     `json:"kept"`
}
