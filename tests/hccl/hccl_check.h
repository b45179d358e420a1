/* hccl_check.h — what the HCCL tests compare results with: a deterministic input generator
 * (element i of rank r's buffer is a function of the case's salt, r and i alone, never of
 * the message size), references for every reduction (exact bits of the specified left fold
 * in rank order, computed on the host, and a long double reference with a tolerance per
 * type), device buffers with guard bytes, and hashing. C99; shared by hccl_collectives.c
 * (ranks are MPI processes) and hccl_local.c (ranks are devices of one process).
 */
#ifndef VNPU_TESTS_HCCL_CHECK_H_
#define VNPU_TESTS_HCCL_CHECK_H_

#include <stddef.h>
#include <stdint.h>

#include "acl/acl.h"
#include "hccl/hccl.h"

#define TC_NTYPES 12
#define TC_NOPS 4
/* Inputs of data-moving collectives: raw random bits (NaN payloads, subnormals, infinities
 * must arrive unchanged). Reductions use the op's value (0..3) as their mode. */
#define TC_RAW 4

/* Bytes before and after each device buffer, filled with TC_GUARD_BYTE: a collective must
 * never write them. */
#define TC_GUARD 64
#define TC_GUARD_BYTE 0xA5

/* Call once, before any thread uses the functions below (fills a table). */
void tc_init(void);

extern const HcclDataType tc_types[TC_NTYPES];
extern const HcclReduceOp tc_ops[TC_NOPS];

size_t tc_size(HcclDataType t);
const char* tc_type_name(HcclDataType t);
const char* tc_op_name(HcclReduceOp op);
int tc_is_float(HcclDataType t);

uint64_t tc_mix(uint64_t x);
/* A salt for one family of cases (independent of the count). */
uint64_t tc_salt(uint64_t kind, int type, int op, uint64_t extra);

/* The bits of element i of rank r's input (in the low tc_size(t) bytes). `mode` is TC_RAW or
 * a HcclReduceOp: sums get values of spread magnitude (so the order of the fold shows in the
 * rounding), products values near 1, max/min some NaNs and infinities. */
uint64_t tc_gen(HcclDataType t, int mode, int rank, uint64_t salt, uint64_t i);
/* dst[k] = tc_gen(t, mode, rank, salt, first + k) for k < count. */
void tc_fill(void* dst, HcclDataType t, int mode, int rank, uint64_t salt, uint64_t first, uint64_t count);

uint16_t tc_f32_to_f16(float f);
float tc_f16_to_f32(uint16_t h);
uint16_t tc_f32_to_bf16(float f);
float tc_bf16_to_f32(uint16_t b);

/* Checks got[k] (k < count) against the reduction `op` of tc_gen(t, op, r, salt, first + k)
 * over ranks r = 0..n-1: the exact bits of the left fold in rank order (f16/bf16 folded in
 * binary32, rounded once; integers wrap; NaN if any input is NaN), and, for floating types,
 * a long double reference within a tolerance. Returns the number of wrong elements; the
 * first few are printed with `label` and `rank`. */
long tc_check_reduce(const void* got, HcclDataType t, HcclReduceOp op, int n, uint64_t salt, uint64_t first,
                     uint64_t count, const char* label, int rank);
/* Checks got[k] == tc_gen(t, TC_RAW, src, salt, first + k), bit for bit. */
long tc_check_raw(const void* got, HcclDataType t, int src, uint64_t salt, uint64_t first, uint64_t count,
                  const char* label, int rank);
/* Checks that `bytes` bytes at p equal `expect` (for buffers that must not change). */
long tc_check_same(const void* got, const void* expect, size_t bytes, const char* label, int rank);

/* FNV-1a of `bytes` bytes, continuing from h (start with TC_HASH_INIT). */
#define TC_HASH_INIT 1469598103934665603ull
uint64_t tc_hash(uint64_t h, const void* p, size_t bytes);

/* Device memory of `bytes` bytes (plus guards on both sides, filled with TC_GUARD_BYTE) on
 * the current device; the returned pointer is the usable part. Aborts on failure. */
void* tc_dev_alloc(size_t bytes);
void tc_dev_free(void* p);
/* Host to device / device to host (aclrtMemcpy); nothing for 0 bytes. Abort on failure. */
void tc_put(void* dev, const void* host, size_t bytes);
void tc_get(void* host, const void* dev, size_t bytes);
/* Copies the buffer and its guards to host (host holds bytes + 2 * TC_GUARD), returns the
 * number of guard bytes that changed. */
long tc_get_guarded(unsigned char* host, const void* dev, size_t bytes);
/* Refills a buffer (and its guards) with TC_GUARD_BYTE. */
void tc_dev_poison(void* dev, size_t bytes);

/* Aborts the program (the MPI job, when tc_abort_hook is set) after printing `what`. */
extern void (*tc_abort_hook)(void);
void tc_die(const char* fmt, ...);

#define TC_ACL(call)                                                                                        \
  do {                                                                                                      \
    aclError e_ = (call);                                                                                   \
    if (e_ != ACL_SUCCESS) tc_die("%s:%d: %s failed: %d (%s)", __FILE__, __LINE__, #call, (int)e_,         \
                                  aclGetRecentErrMsg());                                                    \
  } while (0)
#define TC_HCCL(call)                                                                                       \
  do {                                                                                                      \
    HcclResult r_ = (call);                                                                                 \
    if (r_ != HCCL_SUCCESS) tc_die("%s:%d: %s returned %d (%s)", __FILE__, __LINE__, #call, (int)r_,        \
                                   HcclGetErrorString(r_));                                                 \
  } while (0)

double tc_now(void);

#endif /* VNPU_TESTS_HCCL_CHECK_H_ */
