package stats

import "math"

// normalQuantile returns z such that a standard normal variable falls in
// [−z, z] with probability confidence (z = Φ⁻¹((1+confidence)/2)). It relies
// on math.Erfinv: P(|Z| ≤ z) = erf(z/√2).
func normalQuantile(confidence float64) float64 {
	return math.Sqrt2 * math.Erfinv(confidence)
}

// tQuantile returns t such that a Student t variable with df degrees of
// freedom falls in [−t, t] with probability confidence, that is the
// (1+confidence)/2 quantile. confidence must lie in (0, 1) and df ≥ 1.
//
// df 1 and 2 have closed forms. Otherwise a Cornish–Fisher expansion gives a
// starting point that Newton's method refines against the exact probability,
// written with the regularized incomplete beta function: the upper tail
// P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) for confidence ≥ ½, and the central
// P(|T| ≤ t) = I_{t²/(df+t²)}(½, df/2) below, so that neither loses digits to
// cancellation. The root is kept inside a bracket so that a poor start cannot
// send it astray. Beyond cornishFisherDF degrees of freedom the expansion
// alone is exact to double precision, and lgamma would lose digits, so it is
// used as is.
func tQuantile(confidence, df float64) float64 {
	q := (1 - confidence) / 2 // upper-tail probability, exact for confidence ≥ ½
	switch {
	case df == 1:
		// Cauchy: P(|T| ≤ t) = 2·atan(t)/π.
		if confidence < 0.5 {
			return math.Tan(math.Pi * confidence / 2)
		}
		return 1 / math.Tan(math.Pi*q)
	case df == 2:
		// P(|T| ≤ t) = t/√(2+t²), so t = c·√(2/((1−c)(1+c))).
		return confidence * math.Sqrt(2/((1-confidence)*(1+confidence)))
	}
	guess := cornishFisher(normalQuantile(confidence), df)
	switch {
	case df > cornishFisherDF:
		return guess
	case confidence < 1e-50:
		// P(|T| ≤ t) = 2·density(0)·t·(1 + O(t²)), and t² would underflow.
		return confidence / (2 * tDensity(0, df))
	}

	// shortfall is positive while t is below the root, and slope is its
	// derivative's magnitude.
	shortfall := func(t float64) float64 {
		if confidence < 0.5 {
			t2 := t * t
			return confidence - regIncBeta(0.5, df/2, t2/(df+t2), df/(df+t2))
		}
		return tTail(t, df) - q
	}
	slope := func(t float64) float64 {
		if confidence < 0.5 {
			return 2 * tDensity(t, df)
		}
		return tDensity(t, df)
	}

	// Bracket [lo, hi] with shortfall(lo) ≥ 0 ≥ shortfall(hi).
	lo, hi := 0.0, math.Max(guess, 1)
	for shortfall(hi) > 0 {
		lo, hi = hi, 2*hi
	}
	t := guess
	if t <= lo || t >= hi {
		t = (lo + hi) / 2
	}
	for range 100 {
		s := shortfall(t)
		if s > 0 {
			lo = t
		} else {
			hi = t
		}
		next := t + s/slope(t)
		if !(next > lo && next < hi) { // also catches NaN
			next = (lo + hi) / 2
		}
		if math.Abs(next-t) <= 1e-14*t {
			return next
		}
		t = next
	}
	return t
}

// cornishFisherDF is the number of degrees of freedom above which the
// Cornish–Fisher expansion is used without refinement: its omitted terms are
// of order z¹¹/df⁵, below 1e-15 there for z ≤ 6 (confidence 1 − 2e-9).
const cornishFisherDF = 100000

// cornishFisher turns a standard normal quantile z into the matching Student
// t quantile with df degrees of freedom by the expansion in powers of 1/df
// (Abramowitz & Stegun 26.7.5).
func cornishFisher(z, df float64) float64 {
	z2 := z * z
	g1 := (z2 + 1) * z / 4
	g2 := ((5*z2+16)*z2 + 3) * z / 96
	g3 := (((3*z2+19)*z2+17)*z2 - 15) * z / 384
	g4 := ((((79*z2+776)*z2+1482)*z2-1920)*z2 - 945) * z / 92160
	return z + g1/df + g2/(df*df) + g3/(df*df*df) + g4/(df*df*df*df)
}

// tTail returns P(T > t) for t ≥ 0 and a Student t variable with df degrees
// of freedom: ½·I_x(df/2, ½) with x = df/(df+t²).
func tTail(t, df float64) float64 {
	t2 := t * t
	x := df / (df + t2)
	y := t2 / (df + t2) // 1−x without cancellation
	return regIncBeta(df/2, 0.5, x, y) / 2
}

// tDensity returns the Student t density with df degrees of freedom at t.
func tDensity(t, df float64) float64 {
	a, _ := math.Lgamma((df + 1) / 2)
	b, _ := math.Lgamma(df / 2)
	return math.Exp(a - b - 0.5*math.Log(df*math.Pi) - (df+1)/2*math.Log1p(t*t/df))
}

// regIncBeta returns the regularized incomplete beta function I_x(a, b) for
// a, b > 0 and 0 ≤ x ≤ 1, with y = 1−x passed in by the caller so that it
// keeps its precision near x = 1. It evaluates the continued fraction on
// whichever side of the mean converges fast (Numerical Recipes §6.4).
func regIncBeta(a, b, x, y float64) float64 {
	switch {
	case x <= 0:
		return 0
	case y <= 0:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log(y))
	if x < (a+1)/(a+b+2) {
		return front * betaContinuedFraction(a, b, x) / a
	}
	return 1 - front*betaContinuedFraction(b, a, y)/b
}

// betaContinuedFraction evaluates the continued fraction of the incomplete
// beta function by the modified Lentz method.
func betaContinuedFraction(a, b, x float64) float64 {
	const (
		tiny = 1e-300
		eps  = 1e-16
	)
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1.0; m <= 100000; m++ {
		m2 := 2 * m
		aa := m * (b - m) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}
