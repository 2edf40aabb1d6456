package calibration

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Platt scaling: p = sigmoid(w·x + b) with
//
//	x = [logit(Confidence), Consistency (if UseConsistency), logit(Logprob) (if UseLogprob)].
//
// Confidence and logprob enter as logits because a probability-like input
// that is merely over- or under-confident becomes a straight line in logit
// space (w < 1 shrinks, w > 1 sharpens); consistency is a share of agreeing
// orders, so it enters as is.
//
// The fit minimises cross-entropy against Platt's smoothed targets
// (N+ + 1)/(N+ + 2) for correct and 1/(N- + 2) for wrong samples, plus a
// small L2 penalty on w (not b). The smoothing keeps separable data (all
// high-confidence samples right) from pushing w to infinity; the penalty
// keeps the Hessian positive definite when a feature is constant (every
// judgment fully consistent). The optimiser is Newton's method (IRLS) with
// step halving, started from w = 0 and b = logit of the smoothed base rate:
// deterministic, and converged in a handful of iterations for these few
// parameters.

const (
	// plattLambda is the L2 penalty on the weights, in units of one
	// sample's loss: negligible next to a few dozen outcomes.
	plattLambda = 1e-2
	// featureEps clips probability inputs before the logit so that a
	// certainty of 100 (confidence exactly 1) maps to logit(0.999) ~ 6.9
	// instead of infinity.
	featureEps   = 1e-3
	plattMaxIter = 100
)

// plattDim is the number of weights for the options.
func plattDim(o Options) int {
	d := 1
	if o.UseConsistency {
		d++
	}
	if o.UseLogprob {
		d++
	}
	return d
}

// plattFeatures builds x for one sample; inputs are clamped like Predict's.
func plattFeatures(s Sample, o Options) []float64 {
	x := make([]float64, 0, 3)
	x = append(x, logit(clamp(clamp01(s.Confidence), featureEps, 1-featureEps)))
	if o.UseConsistency {
		x = append(x, clamp01(s.Consistency))
	}
	if o.UseLogprob {
		x = append(x, logit(clamp(clamp01(s.Logprob), featureEps, 1-featureEps)))
	}
	return x
}

// fitPlatt returns the weights and bias.
func fitPlatt(samples []Sample, o Options) ([]float64, float64) {
	rows := make([][]float64, len(samples))
	correct := make([]bool, len(samples))
	for i, s := range samples {
		rows[i] = plattFeatures(s, o)
		correct[i] = s.Correct
	}
	return fitLogistic(rows, correct, plattDim(o))
}

// fitLogistic fits p = sigmoid(w·x + b) to rows of d features with Platt's
// smoothed targets and the L2 penalty described above, by Newton's method.
func fitLogistic(rows [][]float64, correct []bool, d int) ([]float64, float64) {
	n := len(rows)
	// Design rows [x..., 1] and smoothed targets.
	xs := make([][]float64, n)
	var nPos, nNeg float64
	for _, c := range correct {
		if c {
			nPos++
		} else {
			nNeg++
		}
	}
	tPos, tNeg := (nPos+1)/(nPos+2), 1/(nNeg+2)
	ts := make([]float64, n)
	for i, x := range rows {
		xs[i] = append(append(make([]float64, 0, d+1), x...), 1)
		ts[i] = tNeg
		if correct[i] {
			ts[i] = tPos
		}
	}

	theta := make([]float64, d+1) // weights then bias
	theta[d] = math.Log((nPos + 1) / (nNeg + 1))
	loss := plattLoss(xs, ts, theta, d)

	grad := make([]float64, d+1)
	hess := mat.NewSymDense(d+1, nil)
	step := mat.NewVecDense(d+1, nil)
	next := make([]float64, d+1)
	for iter := 0; iter < plattMaxIter; iter++ {
		// Gradient X^T(p - t) + lambda*w, Hessian X^T diag(p(1-p)) X + lambda*I_w.
		for j := range grad {
			grad[j] = 0
			for k := j; k <= d; k++ {
				hess.SetSym(j, k, 0)
			}
		}
		for i, x := range xs {
			p := sigmoid(dot(theta, x))
			r := p - ts[i]
			w := p * (1 - p)
			for j := range x {
				grad[j] += r * x[j]
				for k := j; k < len(x); k++ {
					hess.SetSym(j, k, hess.At(j, k)+w*x[j]*x[k])
				}
			}
		}
		for j := 0; j < d; j++ {
			grad[j] += plattLambda * theta[j]
			hess.SetSym(j, j, hess.At(j, j)+plattLambda)
		}
		var chol mat.Cholesky
		if !chol.Factorize(hess) {
			break // cannot happen with lambda > 0 and p in (0,1); stop where we are
		}
		if err := chol.SolveVecTo(step, mat.NewVecDense(d+1, grad)); err != nil {
			break
		}
		// Newton step with halving until the loss does not increase.
		improved := false
		for scale := 1.0; scale > 1e-10; scale /= 2 {
			for j := range next {
				next[j] = theta[j] - scale*step.AtVec(j)
			}
			if l := plattLoss(xs, ts, next, d); l <= loss {
				done := loss-l <= 1e-12*math.Max(1, loss)
				copy(theta, next)
				loss = l
				improved = !done
				break
			}
		}
		if !improved {
			break
		}
	}
	return theta[:d:d], theta[d]
}

// plattLoss is the penalised cross-entropy, computed stably as
// softplus(z) - t*z per sample.
func plattLoss(xs [][]float64, ts, theta []float64, d int) float64 {
	var l float64
	for i, x := range xs {
		z := dot(theta, x)
		l += softplus(z) - ts[i]*z
	}
	for j := 0; j < d; j++ {
		l += 0.5 * plattLambda * theta[j] * theta[j]
	}
	return l
}

// softplus is log(1+e^z) without overflow.
func softplus(z float64) float64 {
	return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// dot is the inner product over the shorter of the two slices.
func dot(a, b []float64) float64 {
	var s float64
	for i := range min(len(a), len(b)) {
		s += a[i] * b[i]
	}
	return s
}
