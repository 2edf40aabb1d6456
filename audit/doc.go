// Package audit is the robustness audit of Principled Personas: perturb
// each item's persona with an attribute that should not matter (a name, a
// hobby, a favourite colour), judge the perturbed copies beside the
// original, and report per judge profile how often the verdict flips, with
// the items that flipped. Expand writes the perturbed dataset that eval
// judges; Read compares the results.
package audit
