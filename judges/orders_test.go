package judges

import (
	"reflect"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func TestPlanOrders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k      int
		policy pb.OrderPolicy
		want   [][]int
	}{
		{2, pb.OrderPolicy_ORDER_POLICY_UNSPECIFIED, [][]int{{0, 1}, {1, 0}}},
		{2, pb.OrderPolicy_ORDER_POLICY_CYCLIC, [][]int{{0, 1}, {1, 0}}},
		{2, pb.OrderPolicy_ORDER_POLICY_REVERSED, [][]int{{0, 1}, {1, 0}}},
		{2, pb.OrderPolicy_ORDER_POLICY_SINGLE, [][]int{{0, 1}}},
		{3, pb.OrderPolicy_ORDER_POLICY_CYCLIC, [][]int{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}},
		{4, pb.OrderPolicy_ORDER_POLICY_REVERSED, [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}}},
	}
	for _, tt := range tests {
		if got := PlanOrders(tt.k, tt.policy); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PlanOrders(%d, %v) = %v, want %v", tt.k, tt.policy, got, tt.want)
		}
	}
}

// Under the cyclic policy every option appears exactly once in every
// position: that is what cancels a position bias.
func TestCyclicOrdersBalancePositions(t *testing.T) {
	t.Parallel()
	for k := 2; k <= 10; k++ {
		orders := PlanOrders(k, pb.OrderPolicy_ORDER_POLICY_CYCLIC)
		for pos := range k {
			seen := map[int]bool{}
			for _, o := range orders {
				seen[o[pos]] = true
			}
			if len(seen) != k {
				t.Fatalf("k=%d position %d shows %d distinct options, want %d", k, pos, len(seen), k)
			}
		}
	}
}
