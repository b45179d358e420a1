// vnpu/check.hpp — checked mode: races and ordering mistakes of asynchronous programs,
// judged by what the API orders, not by what happened to run.
//
// With VNPU_CHECK=races (or `all`) in the environment, or checker::enable() before the first
// device, vnpu keeps a vector clock per stream and per host thread and derives
// happens-before from the calls a program makes: stream order, event record -> stream
// wait or event synchronize, stream and device synchronize, host functions. Every copy
// and memset declares the bytes it reads and writes, kernels declare theirs (Access,
// LaunchOptions::accesses), and freeing memory counts as writing all of it. Two accesses
// race when their bytes overlap, at least one writes, and neither happens before the
// other — whether or not they happened to run one after the other. A wait on an event
// that has no record before it orders nothing and is reported too (on an NPU such a wait
// blocks until a later record, and deadlocks when that record sits behind it).
//
// Findings are printed on stderr at exit (and written as JSON to VNPU_CHECK_REPORT if
// set), duplicates folded; `vnpu check -- PROGRAM ARGS...` runs a program this way.
// Off (the default), the cost is one predictable branch per call. See docs/check.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vnpu {

/// How a kernel uses a range of memory.
enum class AccessMode : std::uint8_t { kRead = 1, kWrite = 2, kReadWrite = 3 };

/// A range of memory a kernel reads or writes: `bytes` bytes at `ptr`.
struct Access {
  const void* ptr = nullptr;
  std::size_t bytes = 0;
  AccessMode mode = AccessMode::kRead;
};

namespace checker {

/// What a finding is.
enum class Kind : std::uint8_t {
  kReadAfterWrite,   ///< a read not ordered after an earlier write of the same bytes
  kWriteAfterRead,   ///< a write not ordered after an earlier read
  kWriteAfterWrite,  ///< two writes not ordered
  kUseAfterFree,     ///< memory freed while queued work not ordered before the free uses it
  kUnorderedWait,    ///< a wait on an event with no record before it: it orders nothing
  kDeadlock,         ///< a wait that could never end: a host function or kernel waiting for
                     ///< its own stream or device (refused with kNotPermitted, reported here), or a
                     ///< launch whose blocks can never pass a barrier or get a flag they wait for
};

/// "read-after-write", "write-after-read", "write-after-write", "use-after-free",
/// "unordered-wait", "deadlock".
const char* kind_name(Kind k) noexcept;

/// One side of a finding: a task of a stream, or a host thread's own action.
struct Party {
  std::string what;         ///< "kernel 'scale'", "memcpy_async", "host free", ...
  std::string where;        ///< "stream 3 (device 0), seq 14" or "host thread 1"
  std::string submitted_by; ///< the API call and the host backtrace at submission
  AccessMode mode = AccessMode::kRead;
};

struct Finding {
  Kind kind = Kind::kReadAfterWrite;
  std::uintptr_t lo = 0, hi = 0;          ///< the overlapping bytes [lo, hi)
  std::uintptr_t alloc_base = 0;          ///< the allocation they belong to (0: unknown)
  std::size_t alloc_bytes = 0;
  Party first, second;                    ///< first: the earlier submission
  std::string missing;                    ///< the edge that would order them
  std::uint64_t count = 1;                ///< occurrences folded into this finding
};

/// Inside a kernel: the kernel is about to read and/or write `bytes` bytes at `ptr`, an
/// access known only as it runs (a pointer it computes, a range that depends on data). In
/// checked mode the access is checked, by the end of the block, against the work submitted
/// before the launch and after it, as a declared access (LaunchOptions::accesses) is.
/// Adjacent accesses of one mode are merged. Nothing happens outside a checked kernel.
/// The Ascend C layer notes every DataCopy and global-memory access this way.
void note_access(const void* ptr, std::size_t bytes, AccessMode mode) noexcept;

/// Turns checking on (as VNPU_CHECK=races does from the start): the calls made from now on
/// are checked. Work submitted before is not known to the checker.
void enable();
/// Turns checking off again (benchmarks, tests); the findings so far are kept.
void disable();
/// Whether checking is on.
bool enabled() noexcept;
/// The findings so far, duplicates folded (same kind and the same two submission sites).
std::vector<Finding> findings();
/// Forgets the findings (tests).
void clear_findings();
/// The findings as text (one paragraph each) and as a JSON document
/// {"findings": [...], "count": N}.
std::string report_text(const std::vector<Finding>& f);
std::string report_json(const std::vector<Finding>& f);

}  // namespace checker
}  // namespace vnpu
