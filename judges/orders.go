package judges

import (
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// PlanOrders returns the orders in which k options are shown. order[i] is
// the canonical option displayed at position i.
//   - cyclic (the default): k cyclic shifts, so every option appears once in
//     every position; for k == 2 this is AB and BA;
//   - reversed: the canonical order and its reverse;
//   - single: the canonical order only.
func PlanOrders(k int, policy pb.OrderPolicy) [][]int {
	identity := make([]int, k)
	for i := range identity {
		identity[i] = i
	}
	switch policy {
	case pb.OrderPolicy_ORDER_POLICY_SINGLE:
		return [][]int{identity}
	case pb.OrderPolicy_ORDER_POLICY_REVERSED:
		rev := make([]int, k)
		for i := range rev {
			rev[i] = k - 1 - i
		}
		return [][]int{identity, rev}
	default:
		out := make([][]int, k)
		for s := range k {
			o := make([]int, k)
			for i := range o {
				o[i] = (i + s) % k
			}
			out[s] = o
		}
		return out
	}
}

// PolicyName is the short order-policy name used in judge profiles.
func PolicyName(p pb.OrderPolicy) string {
	switch p {
	case pb.OrderPolicy_ORDER_POLICY_SINGLE:
		return "single"
	case pb.OrderPolicy_ORDER_POLICY_REVERSED:
		return "reversed"
	default:
		return "cyclic"
	}
}
