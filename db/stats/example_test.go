package stats_test

import (
	"fmt"

	"github.com/hearth-oss/hearth/db/stats"
)

// Five of a team of eight answered a 1–5 question this week and last.
func Example() {
	last := stats.MeanInterval([]int{3, 4, 4, 5, 2}, stats.Agreement, 8, 0.95)
	this := stats.MeanInterval([]int{4, 4, 4, 5, 3}, stats.Agreement, 8, 0.95)
	fmt.Println(stats.DescribeRange(this, 1))
	fmt.Println(stats.DescribeChange(stats.Change(last, this, 0), 1))
	fmt.Println(stats.Distribution([]int{4, 4, 4, 5, 3}, 1, 5))
	// Output:
	// 4.0 (likely between 3.4 and 4.6)
	// +0.4 (within normal variation)
	// [0 0 1 3 1]
}

func ExampleFavourable() {
	favourable := stats.Favourable([]int{5, 4, 4, 2, 5}, 4, 0, 0.95)
	fmt.Println(stats.DescribeRange(favourable.Percent(), 0) + " favourable")
	// Output: 80 (likely between 38 and 96) favourable
}

func ExampleENPS() {
	e := stats.ENPS([]int{10, 9, 8, 7, 6, 3, 9, 10}, 0, 0.95)
	fmt.Printf("%d promoters, %d passives, %d detractors: eNPS %s\n",
		e.Promoters, e.Passives, e.Detractors, stats.DescribeRange(e.Interval, 0))
	// Output: 4 promoters, 2 passives, 2 detractors: eNPS 25 (likely between -31 and 66)
}
