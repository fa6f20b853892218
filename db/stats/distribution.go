package stats

// maxScalePoints bounds the length of a distribution, so that a nonsense
// scale cannot allocate without limit.
const maxScalePoints = 1001

// Distribution counts the answers at each point of the scale min..max:
// element i counts answers equal to min+i. Answers off the scale are ignored.
// It returns nil when max < min or the scale has more than 1001 points.
func Distribution(values []int, min, max int) []int {
	if max < min || uint64(max)-uint64(min) >= maxScalePoints {
		return nil
	}
	counts := make([]int, max-min+1)
	for _, v := range values {
		if v >= min && v <= max {
			counts[v-min]++
		}
	}
	return counts
}
