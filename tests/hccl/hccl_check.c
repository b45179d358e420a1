/* hccl_check.c — generator, references and buffers of the HCCL tests (see hccl_check.h).
 *
 * The references are written from the documented semantics only: a reduction is the left
 * fold x_0 op x_1 op ... op x_{n-1} in rank order for every element; FP16/BFP16 are folded
 * in binary32 and rounded once to nearest-even; integers wrap; MAX/MIN give NaN when any
 * input is NaN. The conversions below are this file's own, not vnpu's. Built with
 * -ffp-contract=off so that the host fold rounds after every step.
 */
#define _POSIX_C_SOURCE 200809L
#include "hccl_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const HcclDataType tc_types[TC_NTYPES] = {
    HCCL_DATA_TYPE_INT8,   HCCL_DATA_TYPE_INT16,  HCCL_DATA_TYPE_INT32, HCCL_DATA_TYPE_FP16,
    HCCL_DATA_TYPE_FP32,   HCCL_DATA_TYPE_INT64,  HCCL_DATA_TYPE_UINT64, HCCL_DATA_TYPE_UINT8,
    HCCL_DATA_TYPE_UINT16, HCCL_DATA_TYPE_UINT32, HCCL_DATA_TYPE_FP64,  HCCL_DATA_TYPE_BFP16,
};
const HcclReduceOp tc_ops[TC_NOPS] = {HCCL_REDUCE_SUM, HCCL_REDUCE_PROD, HCCL_REDUCE_MAX, HCCL_REDUCE_MIN};

void (*tc_abort_hook)(void) = NULL;

void tc_die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FATAL: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fflush(stderr);
  if (tc_abort_hook != NULL) tc_abort_hook();
  exit(2);
}

double tc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t tc_size(HcclDataType t) {
  switch (t) {
    case HCCL_DATA_TYPE_INT8:
    case HCCL_DATA_TYPE_UINT8: return 1;
    case HCCL_DATA_TYPE_INT16:
    case HCCL_DATA_TYPE_UINT16:
    case HCCL_DATA_TYPE_FP16:
    case HCCL_DATA_TYPE_BFP16: return 2;
    case HCCL_DATA_TYPE_INT32:
    case HCCL_DATA_TYPE_UINT32:
    case HCCL_DATA_TYPE_FP32: return 4;
    case HCCL_DATA_TYPE_INT64:
    case HCCL_DATA_TYPE_UINT64:
    case HCCL_DATA_TYPE_FP64: return 8;
    default: return 0;
  }
}

const char* tc_type_name(HcclDataType t) {
  static const char* const names[TC_NTYPES] = {"int8",   "int16", "int32",  "fp16",   "fp32", "int64",
                                               "uint64", "uint8", "uint16", "uint32", "fp64", "bfp16"};
  return (int)t >= 0 && (int)t < TC_NTYPES ? names[(int)t] : "?";
}

const char* tc_op_name(HcclReduceOp op) {
  static const char* const names[TC_NOPS] = {"sum", "prod", "max", "min"};
  return (int)op >= 0 && (int)op < TC_NOPS ? names[(int)op] : "?";
}

int tc_is_float(HcclDataType t) {
  return t == HCCL_DATA_TYPE_FP16 || t == HCCL_DATA_TYPE_FP32 || t == HCCL_DATA_TYPE_FP64 ||
         t == HCCL_DATA_TYPE_BFP16;
}

static int is_signed_int(HcclDataType t) {
  return t == HCCL_DATA_TYPE_INT8 || t == HCCL_DATA_TYPE_INT16 || t == HCCL_DATA_TYPE_INT32 ||
         t == HCCL_DATA_TYPE_INT64;
}

static uint64_t mask_of(size_t bytes) { return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1; }

uint64_t tc_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t tc_salt(uint64_t kind, int type, int op, uint64_t extra) {
  return tc_mix(tc_mix(kind * 1000003u + (uint64_t)type * 131u + (uint64_t)op) ^ tc_mix(extra));
}

/* ---- binary16 / bfloat16 ---- */

/* Round to nearest, ties to even, on the bits: `keep` is the value with `drop` low bits
 * removed, `rest` those bits. A carry out of the significand moves into the exponent, and
 * out of the largest exponent into infinity, as it should. */
static uint32_t round_bits(uint32_t keep, uint32_t rest, unsigned drop) {
  const uint32_t half = 1u << (drop - 1);
  return keep + (rest > half || (rest == half && (keep & 1u)));
}

static uint32_t f32_bits(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  return x;
}

uint16_t tc_f32_to_f16(float f) {
  const uint32_t x = f32_bits(f), s = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return (uint16_t)(s | 0x7e00u);     /* NaN */
  if (ax >= 0x477ff000u) return (uint16_t)(s | 0x7c00u);    /* >= 65520 (and inf): inf */
  if (ax >= 0x38800000u) {                                   /* normal binary16 */
    const uint32_t e = (ax >> 23) - 127 + 15, m = ax & 0x7fffffu;
    return (uint16_t)(s | round_bits(e << 10 | m >> 13, m & 0x1fffu, 13));
  }
  if (ax < 0x33000000u) return (uint16_t)s;                  /* below 2^-25: zero */
  /* Subnormal: the significand with its implicit bit, shifted to units of 2^-24. */
  const unsigned shift = 126 - (ax >> 23); /* 14..24 for exponents -24..-15 (and 2^-25 itself) */
  const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
  return (uint16_t)(s | round_bits(m >> shift, m & ((1u << shift) - 1), shift));
}

static float f16_table[65536];
static int f16_table_ready = 0;

static float f16_to_f32_slow(uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  float v;
  if (e == 0) {
    v = ldexpf((float)m, -24);
  } else if (e == 31) {
    v = m != 0 ? NAN : INFINITY;
  } else {
    v = ldexpf((float)(m + 1024), e - 25);
  }
  return (h & 0x8000) ? -v : v;
}

void tc_init(void) {
  for (uint32_t k = 0; k < 65536; ++k) f16_table[k] = f16_to_f32_slow((uint16_t)k);
  f16_table_ready = 1;
}

float tc_f16_to_f32(uint16_t h) { return f16_table_ready ? f16_table[h] : f16_to_f32_slow(h); }

uint16_t tc_f32_to_bf16(float f) {
  const uint32_t x = f32_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)(((x >> 16) & 0x8000u) | 0x7fc0u); /* NaN */
  /* bfloat16 is binary32 without its 16 low bits, subnormals and all. */
  return (uint16_t)round_bits(x >> 16, x & 0xffffu, 16);
}

float tc_bf16_to_f32(uint16_t b) {
  const uint32_t x = (uint32_t)b << 16;
  float f;
  memcpy(&f, &x, sizeof f);
  return f;
}

static float f32_of(uint64_t bits) {
  const uint32_t x = (uint32_t)bits;
  float f;
  memcpy(&f, &x, sizeof f);
  return f;
}
static uint64_t bits_of_f32(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof x);
  return x;
}
static double f64_of(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}
static uint64_t bits_of_f64(double d) {
  uint64_t x;
  memcpy(&x, &d, sizeof x);
  return x;
}

/* ---- the generator ---- */

static uint64_t raw_bits(uint64_t salt, int rank, uint64_t i) {
  return tc_mix(salt ^ tc_mix(((uint64_t)(unsigned)rank << 48) ^ i));
}

static uint64_t gen_f32(int mode, uint64_t b) {
  const uint64_t s = (b >> 6) & 1, m = (b >> 12) & 0x7fffff;
  switch (mode) {
    case HCCL_REDUCE_SUM: {
      if ((b & 63) == 0) return 0;
      const uint64_t e = (b >> 7) % 17; /* 2^-8 .. 2^8 */
      return s << 31 | (127 - 8 + e) << 23 | m;
    }
    case HCCL_REDUCE_PROD: return bits_of_f32(1.0f + (float)((int)((b >> 8) % 512) - 256) * 0x1p-12f);
    default: {
      const uint64_t sel = (b >> 8) % 97;
      if (sel == 0) return 0x7fc00000u | ((b >> 40) & 0xffff);
      if (sel == 1) return 0x7f800000u;
      if (sel == 2) return 0xff800000u;
      return s << 31 | (127 - 30 + (b >> 20) % 61) << 23 | m;
    }
  }
}

static uint64_t gen_f64(int mode, uint64_t b) {
  const uint64_t s = (b >> 6) & 1, m = (b >> 12) & 0xfffffffffffffull;
  switch (mode) {
    case HCCL_REDUCE_SUM: {
      if ((b & 63) == 0) return 0;
      const uint64_t e = (b >> 7) % 17;
      return s << 63 | (1023 - 8 + e) << 52 | m;
    }
    case HCCL_REDUCE_PROD: /* in [15/16, 17/16), all 52 fraction bits used: products round */
      return bits_of_f64(1.0 + ((double)m * 0x1p-52 - 0.5) * 0x1p-3);
    default: {
      const uint64_t sel = (b >> 7) % 97;
      if (sel == 0) return 0x7ff8000000000000ull | ((b >> 40) & 0xffff);
      if (sel == 1) return 0x7ff0000000000000ull;
      if (sel == 2) return 0xfff0000000000000ull;
      return s << 63 | (1023 - 300 + (b >> 52) % 601) << 52 | m; /* 2^-300 .. 2^300 */
    }
  }
}

static uint64_t gen_f16(int mode, uint64_t b) {
  const uint64_t s = (b >> 6) & 1, m = (b >> 12) & 0x3ff;
  switch (mode) {
    case HCCL_REDUCE_SUM: {
      if ((b & 63) == 0) return 0;
      /* 2^-14 .. 2^10: wider than binary32's significand, so the fold rounds (and its order
       * shows) before the final rounding to binary16. */
      const uint64_t e = (b >> 7) % 25;
      return s << 15 | (15 - 14 + e) << 10 | m;
    }
    case HCCL_REDUCE_PROD: return tc_f32_to_f16(1.0f + (float)((int)((b >> 8) % 128) - 64) * 0x1p-10f);
    default: {
      const uint64_t sel = (b >> 8) % 97;
      if (sel == 0) return 0x7e00 | ((b >> 40) & 0x1ff);
      if (sel == 1) return 0x7c00;
      if (sel == 2) return 0xfc00;
      const uint64_t e = (b >> 24) % 31; /* subnormals too, never -0 */
      return s << 15 | e << 10 | (e == 0 && m == 0 ? 1 : m);
    }
  }
}

static uint64_t gen_bf16(int mode, uint64_t b) {
  const uint64_t s = (b >> 6) & 1, m = (b >> 12) & 0x7f;
  switch (mode) {
    case HCCL_REDUCE_SUM: {
      if ((b & 63) == 0) return 0;
      const uint64_t e = (b >> 7) % 41; /* 2^-20 .. 2^20, as for binary16 */
      return s << 15 | (127 - 20 + e) << 7 | m;
    }
    case HCCL_REDUCE_PROD: return tc_f32_to_bf16(1.0f + (float)((int)((b >> 8) % 16) - 8) * 0x1p-7f);
    default: {
      const uint64_t sel = (b >> 8) % 97;
      if (sel == 0) return 0x7fc0 | ((b >> 40) & 0x3f);
      if (sel == 1) return 0x7f80;
      if (sel == 2) return 0xff80;
      const uint64_t e = (b >> 24) % 255;
      return s << 15 | e << 7 | (e == 0 && m == 0 ? 1 : m);
    }
  }
}

uint64_t tc_gen(HcclDataType t, int mode, int rank, uint64_t salt, uint64_t i) {
  const uint64_t b = raw_bits(salt, rank, i);
  const size_t es = tc_size(t);
  if (mode == TC_RAW) return b & mask_of(es);
  switch (t) {
    case HCCL_DATA_TYPE_FP32: return gen_f32(mode, b);
    case HCCL_DATA_TYPE_FP64: return gen_f64(mode, b);
    case HCCL_DATA_TYPE_FP16: return gen_f16(mode, b);
    case HCCL_DATA_TYPE_BFP16: return gen_bf16(mode, b);
    default:
      /* Integers: the whole range, so sums and products wrap; odd factors keep products
       * from collapsing to zero. */
      return (mode == HCCL_REDUCE_PROD ? (b | 1) : b) & mask_of(es);
  }
}

static void store(void* base, size_t k, size_t es, uint64_t bits) {
  unsigned char* p = (unsigned char*)base + k * es;
  switch (es) {
    case 1: { uint8_t v = (uint8_t)bits; memcpy(p, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)bits; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)bits; memcpy(p, &v, 4); break; }
    default: memcpy(p, &bits, 8); break;
  }
}

static uint64_t load(const void* base, size_t k, size_t es) {
  const unsigned char* p = (const unsigned char*)base + k * es;
  switch (es) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

void tc_fill(void* dst, HcclDataType t, int mode, int rank, uint64_t salt, uint64_t first, uint64_t count) {
  const size_t es = tc_size(t);
  for (uint64_t k = 0; k < count; ++k) store(dst, (size_t)k, es, tc_gen(t, mode, rank, salt, first + k));
}

/* ---- references ---- */

static int64_t sign_extend(uint64_t v, size_t es) {
  if (es >= 8) return (int64_t)v;
  const unsigned sh = (unsigned)(64 - 8 * es);
  return (int64_t)(v << sh) >> sh; /* arithmetic shift: gcc and clang define it */
}

static uint64_t fold_int(HcclDataType t, HcclReduceOp op, int n, uint64_t salt, uint64_t i) {
  const size_t es = tc_size(t);
  const uint64_t mask = mask_of(es);
  uint64_t acc = tc_gen(t, op, 0, salt, i);
  for (int r = 1; r < n; ++r) {
    const uint64_t x = tc_gen(t, op, r, salt, i);
    switch (op) {
      case HCCL_REDUCE_SUM: acc = (acc + x) & mask; break;
      case HCCL_REDUCE_PROD: acc = (acc * x) & mask; break;
      case HCCL_REDUCE_MAX:
        if (is_signed_int(t) ? sign_extend(x, es) > sign_extend(acc, es) : x > acc) acc = x;
        break;
      default:
        if (is_signed_int(t) ? sign_extend(x, es) < sign_extend(acc, es) : x < acc) acc = x;
        break;
    }
  }
  return acc;
}

/* The value of an element of a floating type, exactly, as long double. */
static long double value_of(HcclDataType t, uint64_t bits) {
  switch (t) {
    case HCCL_DATA_TYPE_FP16: return (long double)tc_f16_to_f32((uint16_t)bits);
    case HCCL_DATA_TYPE_BFP16: return (long double)tc_bf16_to_f32((uint16_t)bits);
    case HCCL_DATA_TYPE_FP32: return (long double)f32_of(bits);
    default: return (long double)f64_of(bits);
  }
}

static float apply_f(HcclReduceOp op, float acc, float x) {
  switch (op) {
    case HCCL_REDUCE_SUM: return acc + x;
    case HCCL_REDUCE_PROD: return acc * x;
    case HCCL_REDUCE_MAX: return x > acc ? x : acc;
    default: return x < acc ? x : acc;
  }
}
static double apply_d(HcclReduceOp op, double acc, double x) {
  switch (op) {
    case HCCL_REDUCE_SUM: return acc + x;
    case HCCL_REDUCE_PROD: return acc * x;
    case HCCL_REDUCE_MAX: return x > acc ? x : acc;
    default: return x < acc ? x : acc;
  }
}

typedef struct {
  uint64_t bits;     /* the exact result of the fold */
  int nan;           /* the result must be a NaN (any payload) */
  long double ref;   /* long double reference */
  long double tol;   /* allowed |result - ref| */
} FloatExpect;

/* `grow`: (1 + ua)^(n-1) - 1, the relative error a product may pick up (see below). */
static FloatExpect fold_float(HcclDataType t, HcclReduceOp op, int n, uint64_t salt, uint64_t i, long double grow) {
  FloatExpect e = {0, 0, 0, 0};
  long double ref = 0, abs_sum = 0;
  int any_nan = 0;
  float accf = 0;
  double accd = 0;
  for (int r = 0; r < n; ++r) {
    const uint64_t xb = tc_gen(t, op, r, salt, i);
    const long double x = value_of(t, xb);
    if (isnan(x)) any_nan = 1;
    if (r == 0) {
      ref = x;
    } else if (op == HCCL_REDUCE_SUM) {
      ref += x;
    } else if (op == HCCL_REDUCE_PROD) {
      ref *= x;
    } else if (op == HCCL_REDUCE_MAX) {
      ref = x > ref ? x : ref;
    } else {
      ref = x < ref ? x : ref;
    }
    abs_sum += fabsl(x);
    if (t == HCCL_DATA_TYPE_FP64) {
      accd = r == 0 ? f64_of(xb) : apply_d(op, accd, f64_of(xb));
    } else {
      const float xf = (float)x; /* exact: every input is representable in binary32 */
      accf = r == 0 ? xf : apply_f(op, accf, xf);
    }
  }
  switch (t) {
    case HCCL_DATA_TYPE_FP64: e.bits = bits_of_f64(accd); break;
    case HCCL_DATA_TYPE_FP32: e.bits = bits_of_f32(accf); break;
    case HCCL_DATA_TYPE_FP16: e.bits = tc_f32_to_f16(accf); break;
    default: e.bits = tc_f32_to_bf16(accf); break;
  }
  e.nan = any_nan && (op == HCCL_REDUCE_MAX || op == HCCL_REDUCE_MIN);
  e.ref = ref;
  /* ua: rounding of each accumulation step; uo: the final rounding to the element type;
   * tiny: half the smallest subnormal of the element type. */
  const long double ua = t == HCCL_DATA_TYPE_FP64 ? 0x1p-53L : 0x1p-24L;
  const long double uo = t == HCCL_DATA_TYPE_FP16 ? 0x1p-11L : (t == HCCL_DATA_TYPE_BFP16 ? 0x1p-8L : 0);
  const long double tiny = t == HCCL_DATA_TYPE_FP16 ? 0x1p-25L
                           : t == HCCL_DATA_TYPE_BFP16 ? 0x1p-134L
                           : t == HCCL_DATA_TYPE_FP32 ? 0x1p-150L
                                                      : 0x1p-1075L;
  const long double steps = (long double)(n - 1);
  const long double own = (long double)n * 0x1p-63L; /* the long double reference's own rounding */
  switch (op) {
    case HCCL_REDUCE_SUM: e.tol = (steps * ua * abs_sum * (1 + uo) + uo * fabsl(ref) + own * abs_sum) * 1.0001L + tiny; break;
    case HCCL_REDUCE_PROD: e.tol = ((grow + uo * (1 + grow)) * fabsl(ref) + own * fabsl(ref)) * 1.0001L + tiny; break;
    default: e.tol = 0; break; /* max and min are exact */
  }
  return e;
}

static int is_nan_bits(HcclDataType t, uint64_t b) {
  switch (t) {
    case HCCL_DATA_TYPE_FP16: return (b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0;
    case HCCL_DATA_TYPE_BFP16: return (b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0;
    case HCCL_DATA_TYPE_FP32: return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffff) != 0;
    default: return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) != 0;
  }
}

enum { kReportMax = 5 };

long tc_check_reduce(const void* got, HcclDataType t, HcclReduceOp op, int n, uint64_t salt, uint64_t first,
                     uint64_t count, const char* label, int rank) {
  const size_t es = tc_size(t);
  const long double grow = powl(1 + (t == HCCL_DATA_TYPE_FP64 ? 0x1p-53L : 0x1p-24L), (long double)(n - 1)) - 1;
  long bad = 0;
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t i = first + k;
    const uint64_t g = load(got, (size_t)k, es);
    if (!tc_is_float(t)) {
      const uint64_t want = fold_int(t, op, n, salt, i);
      if (g != want && bad++ < kReportMax)
        fprintf(stderr, "[rank %d] %s: element %llu: got 0x%llx, want 0x%llx\n", rank, label, (unsigned long long)k,
                (unsigned long long)g, (unsigned long long)want);
      continue;
    }
    const FloatExpect e = fold_float(t, op, n, salt, i, grow);
    const long double gv = value_of(t, g);
    const int bits_ok = e.nan ? is_nan_bits(t, g) : g == e.bits;
    const int ref_ok = e.nan || gv == e.ref || fabsl(gv - e.ref) <= e.tol; /* == for infinities */
    if ((!bits_ok || !ref_ok) && bad++ < kReportMax)
      fprintf(stderr,
              "[rank %d] %s: element %llu: got 0x%llx (%.17Lg), want 0x%llx (%s%.17Lg); long double reference %.17Lg "
              "+- %.3Lg%s\n",
              rank, label, (unsigned long long)k, (unsigned long long)g, gv, (unsigned long long)e.bits,
              e.nan ? "a NaN, " : "", value_of(t, e.bits), e.ref, e.tol,
              bits_ok ? " (bits right, outside the tolerance: the test's reference is wrong)" : "");
  }
  if (bad > kReportMax) fprintf(stderr, "[rank %d] %s: %ld wrong elements of %llu\n", rank, label, bad, (unsigned long long)count);
  return bad;
}

long tc_check_raw(const void* got, HcclDataType t, int src, uint64_t salt, uint64_t first, uint64_t count,
                  const char* label, int rank) {
  const size_t es = tc_size(t);
  long bad = 0;
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t g = load(got, (size_t)k, es), want = tc_gen(t, TC_RAW, src, salt, first + k);
    if (g != want && bad++ < kReportMax)
      fprintf(stderr, "[rank %d] %s: element %llu: got 0x%llx, want 0x%llx (rank %d's element %llu)\n", rank, label,
              (unsigned long long)k, (unsigned long long)g, (unsigned long long)want, src,
              (unsigned long long)(first + k));
  }
  if (bad > kReportMax) fprintf(stderr, "[rank %d] %s: %ld wrong elements of %llu\n", rank, label, bad, (unsigned long long)count);
  return bad;
}

long tc_check_same(const void* got, const void* expect, size_t bytes, const char* label, int rank) {
  const unsigned char *g = (const unsigned char*)got, *e = (const unsigned char*)expect;
  long bad = 0;
  for (size_t k = 0; k < bytes; ++k)
    if (g[k] != e[k] && bad++ < kReportMax)
      fprintf(stderr, "[rank %d] %s: byte %zu changed: 0x%02x, was 0x%02x\n", rank, label, k, g[k], e[k]);
  return bad;
}

uint64_t tc_hash(uint64_t h, const void* p, size_t bytes) {
  const unsigned char* b = (const unsigned char*)p;
  for (size_t k = 0; k < bytes; ++k) h = (h ^ b[k]) * 1099511628211ull;
  return h;
}

/* ---- device buffers ---- */

void* tc_dev_alloc(size_t bytes) {
  void* base = NULL;
  TC_ACL(aclrtMalloc(&base, bytes + 2 * TC_GUARD, ACL_MEM_MALLOC_HUGE_FIRST));
  TC_ACL(aclrtMemset(base, bytes + 2 * TC_GUARD, TC_GUARD_BYTE, bytes + 2 * TC_GUARD));
  return (unsigned char*)base + TC_GUARD;
}

void tc_dev_free(void* p) {
  if (p != NULL) TC_ACL(aclrtFree((unsigned char*)p - TC_GUARD));
}

void tc_dev_poison(void* dev, size_t bytes) {
  unsigned char* base = (unsigned char*)dev - TC_GUARD;
  TC_ACL(aclrtMemset(base, bytes + 2 * TC_GUARD, TC_GUARD_BYTE, bytes + 2 * TC_GUARD));
}

void tc_put(void* dev, const void* host, size_t bytes) {
  if (bytes != 0) TC_ACL(aclrtMemcpy(dev, bytes, host, bytes, ACL_MEMCPY_HOST_TO_DEVICE));
}

void tc_get(void* host, const void* dev, size_t bytes) {
  if (bytes != 0) TC_ACL(aclrtMemcpy(host, bytes, dev, bytes, ACL_MEMCPY_DEVICE_TO_HOST));
}

long tc_get_guarded(unsigned char* host, const void* dev, size_t bytes) {
  const size_t total = bytes + 2 * TC_GUARD;
  TC_ACL(aclrtMemcpy(host, total, (const unsigned char*)dev - TC_GUARD, total, ACL_MEMCPY_DEVICE_TO_HOST));
  long bad = 0;
  for (size_t k = 0; k < TC_GUARD; ++k) {
    bad += host[k] != TC_GUARD_BYTE;
    bad += host[TC_GUARD + bytes + k] != TC_GUARD_BYTE;
  }
  return bad;
}
