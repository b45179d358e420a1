// What the examples' host programs share: random inputs and the comparison with a float64
// reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace example {

/// n values uniform in [lo, hi), the same for a given seed.
inline std::vector<float> random_values(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

/// Counts the elements of `got` farther than `atol + rtol * |want|` from `want`, printing
/// the first few, and prints the verdict line. Returns the program's exit status.
template <typename T>
int check(const char* name, const T* got, const std::vector<double>& want, double rtol, double atol) {
  size_t wrong = 0;
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double g = static_cast<double>(static_cast<float>(got[i]));
    const double err = std::fabs(g - want[i]);
    worst = std::fmax(worst, err / (atol + rtol * std::fabs(want[i])));
    if (!(err <= atol + rtol * std::fabs(want[i])) && wrong++ < 5)
      std::printf("  [%zu] = %.9g, expected %.9g\n", i, g, want[i]);
  }
  std::printf("%s: %zu values, worst error %.3f of the tolerance: %s\n", name, want.size(), worst,
              wrong == 0 ? "correct" : "WRONG");
  return wrong == 0 ? 0 : 1;
}

}  // namespace example
