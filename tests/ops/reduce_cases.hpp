// tests/ops/reduce_cases.hpp — the shapes and axes of the reduction accuracy matrix, kept
// as data (like oneDNN's shapes_ci): lengths around the vector widths (1, 15/16/17,
// 31/32/33, 63/64/65, 1023/1024/1025), odd primes, size-1 and size-0 dims, ranks 0 to 8,
// inner, outer, middle, several, negative, all and explicitly no axes, and a few large
// shapes (run on the best ISA only).
#pragma once

#include <cstdint>
#include <vector>

#include "ops/reduce_support.hpp"

namespace vnpu::test {

struct ReduceCase {
  std::vector<std::int64_t> shape;
  AxisList axes;       ///< nullopt: all axes
  bool large = false;  ///< millions of elements: best ISA only, keep_dims false only
};

inline std::vector<ReduceCase> accuracy_cases() {
  using V = std::vector<int>;
  std::vector<ReduceCase> c;
  // 1-D, full reductions around every vector width.
  for (std::int64_t n : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 997, 1023,
                         1024, 1025, 2049, 4099, 8191})
    c.push_back({{n}, std::nullopt});
  c.push_back({{17}, V{0}});
  c.push_back({{64}, V{0}});
  c.push_back({{1025}, V{0}});
  c.push_back({{33}, V{-1}});
  c.push_back({{4099}, V{-1}});
  c.push_back({{17}, V{}});
  // 2-D: inner (1) and outer (0) axis of every shape; a full reduction of every third.
  const std::vector<std::vector<std::int64_t>> mats = {
      {1, 1},   {1, 17},   {17, 1},   {3, 15},  {3, 16},   {3, 17},   {15, 3},   {16, 3},  {17, 3},
      {5, 32},  {32, 5},   {4, 33},   {33, 4},  {7, 63},   {63, 7},   {2, 64},   {64, 2},  {3, 65},
      {65, 3},  {2, 1023}, {1023, 2}, {3, 1024}, {1024, 3}, {2, 1025}, {1025, 2}, {997, 5}, {5, 997},
      {2, 4099}, {4099, 2}, {64, 256}, {256, 64}, {130, 130}};
  for (std::size_t i = 0; i < mats.size(); ++i) {
    c.push_back({mats[i], V{1}});
    c.push_back({mats[i], V{0}});
    if (i % 3 == 0) c.push_back({mats[i], std::nullopt});
  }
  for (const auto& m : std::vector<std::vector<std::int64_t>>{{3, 17}, {17, 3}, {65, 33}, {31, 1}}) {
    c.push_back({m, V{-1}});
    c.push_back({m, V{-2}});
    c.push_back({m, V{1, 0}});
  }
  c.push_back({{3, 17}, V{}});
  c.push_back({{1, 1}, V{}});
  // 3-D: middle axes, pairs, size-1 middles.
  for (const AxisList& a : {AxisList{V{1}}, AxisList{V{0, 2}}, AxisList{V{-2}}, AxisList{V{0, 1}}, AxisList{V{1, 2}},
                            AxisList{V{2, 0}}, AxisList{V{0}}, AxisList{V{2}}, AxisList{std::nullopt}, AxisList{V{}}})
    c.push_back({{3, 17, 5}, a});
  c.push_back({{8, 16, 33}, V{1}});
  c.push_back({{8, 16, 33}, V{0, 2}});
  c.push_back({{5, 1, 7}, V{1}});
  c.push_back({{5, 1, 7}, V{0}});
  c.push_back({{5, 1, 7}, V{0, 1}});
  c.push_back({{2, 65, 16}, V{1}});
  c.push_back({{2, 65, 16}, V{0, 2}});
  c.push_back({{16, 65, 3}, V{1}});
  c.push_back({{16, 65, 3}, V{-1}});
  c.push_back({{1, 1, 1}, std::nullopt});
  c.push_back({{2, 1, 3}, V{1}});
  c.push_back({{97, 3, 31}, V{1}});
  c.push_back({{33, 205, 15}, V{0, 2}});
  // 4-D and up to the maximum rank.
  for (const AxisList& a : {AxisList{V{1, 3}}, AxisList{V{0, 2}}, AxisList{V{-1, -3}}, AxisList{V{3, 2, 1, 0}},
                            AxisList{V{1, 2}}, AxisList{V{3}}, AxisList{V{0}}})
    c.push_back({{2, 3, 4, 5}, a});
  // Axis sets that leave reduced dims apart (after merging): kept columns innermost (rows
  // of several reduced dims: {0,2} of NCHW), a contiguous reduced run innermost with dim 0
  // reduced ({0,2,3}) or kept ({1,3}), short and long runs, vector-width columns.
  for (const auto& s : std::vector<std::vector<std::int64_t>>{{3, 5, 7, 9}, {2, 3, 17, 16}, {4, 9, 3, 65}, {5, 2, 2, 1}})
    for (const AxisList& a : {AxisList{V{0, 2}}, AxisList{V{1, 3}}, AxisList{V{0, 2, 3}}, AxisList{V{0, 1, 3}}})
      c.push_back({s, a});
  c.push_back({{2, 3, 4, 5, 6}, V{0, 2, 4}});
  c.push_back({{2, 3, 4, 5, 6}, V{1, 3}});
  c.push_back({{3, 2, 4, 33, 2}, V{0, 3}});
  c.push_back({{3, 1, 5, 1}, V{1, 3}});
  c.push_back({{3, 1, 5, 1}, V{0, 2}});
  c.push_back({{3, 1, 2, 1, 5}, V{1, 2, 4}});
  c.push_back({{2, 2, 2, 2, 2, 2, 2, 2}, V{0, 3, 7}});
  c.push_back({{2, 2, 2, 2, 2, 2, 2, 2}, V{-2}});
  c.push_back({{2, 3, 2, 3, 2, 3, 2, 3}, std::nullopt});
  // Rank 0.
  c.push_back({{}, std::nullopt});
  c.push_back({{}, V{}});
  // Large (several cores, many chunks, long accumulations).
  c.push_back({{4194311}, std::nullopt, true});
  c.push_back({{1031, 1021}, V{0}, true});
  c.push_back({{1021, 1031}, V{-1}, true});
  c.push_back({{16, 64, 56, 56}, V{0, 2, 3}, true});
  c.push_back({{16, 64, 56, 56}, V{1, 3}, true});
  c.push_back({{16, 32, 64, 64}, V{0, 2}, true});
  return c;
}

/// Tensors with a zero-sized dim: empty reductions (identity values: sum 0, prod 1, max
/// -inf, ...) and empty outputs.
inline std::vector<ReduceCase> empty_cases() {
  using V = std::vector<int>;
  return {
      {{0}, std::nullopt},  {{0}, V{0}},        {{3, 0}, V{1}},    {{3, 0}, V{0}},     {{0, 4}, V{0}},
      {{0, 4}, V{1}},       {{2, 0, 3}, V{1}},  {{2, 0, 3}, V{0, 2}}, {{4, 0}, std::nullopt}, {{0, 17}, V{0}},
      {{17, 0}, V{-1}},     {{0}, V{}},         {{2, 0}, V{}},
  };
}

}  // namespace vnpu::test
