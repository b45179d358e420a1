// Checked mode and Ascend C kernels: every global-memory access a kernel makes (DataCopy in
// all its forms, DataCopyPad, GetValue/SetValue) is checked against the program's other
// work without the kernel declaring anything, for every launch style (ACLRT_LAUNCH_KERNEL's
// launcher, <<<>>>, ICPU_RUN_KF); and kernel-side deadlocks (SyncAll counts that cannot be
// met, an IBWait nobody will satisfy) fail the launch instead of hanging and, checked, are
// findings of kind "deadlock".
//
// Each scenario runs in a child process of this program (`--scenario NAME`), as a program
// linking libascendcl.so runs: checked through VNPU_CHECK=all, its findings read from
// VNPU_CHECK_REPORT. The parent bounds the child's time, so a hang fails the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_findings.hpp"

#include "acl/acl.h"
#include "kernel_operator.h"
#include "tikicpulib.h"

namespace {

// ---- kernels ---------------------------------------------------------------------------

// The faulty scenarios must not really race (the sanitizers run them too): each block of
// the kernels below counts itself done, and a scenario waits for that count before it
// touches what the kernel touched; gate_kernel holds its stream until the scenario opens
// the gate. The sanitizers see these orders; the checker, judging by the API, does not.
std::atomic<int> g_blocks_done{0};
std::atomic<bool> g_gate{false};
void block_done() { g_blocks_done.fetch_add(1, std::memory_order_release); }
void wait_blocks(int n) {
  while (g_blocks_done.load(std::memory_order_acquire) < n) std::this_thread::yield();
}
void open_gate() { g_gate.store(true, std::memory_order_release); }

// y = x + 1 over `perBlock` floats per block, through the UB (a multiple of 8).
extern "C" __global__ __aicore__ void add_one_kernel(GM_ADDR x, GM_ADDR y, std::uint32_t perBlock) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, perBlock * sizeof(float));
  AscendC::GlobalTensor<float> xg, yg;
  const std::uint64_t first = static_cast<std::uint64_t>(AscendC::GetBlockIdx()) * perBlock;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x) + first, perBlock);
  yg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y) + first, perBlock);
  AscendC::LocalTensor<float> v = buf.Get<float>();
  AscendC::DataCopy(v, xg, perBlock);
  AscendC::Adds(v, v, 1.0f, static_cast<std::int32_t>(perBlock));
  AscendC::DataCopy(yg, v, perBlock);
  block_done();
}

// One block: y[3] = x[5] * 2, element by element.
extern "C" __global__ __aicore__ void scalar_kernel(GM_ADDR x, GM_ADDR y) {
  AscendC::GlobalTensor<float> xg, yg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), 16);
  yg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y), 16);
  yg.SetValue(3, xg.GetValue(5) * 2.0f);
  block_done();
}

// One block: two 32-byte bursts of x read 32 bytes apart (bytes [0, 32) and [64, 96)), and
// DataCopyPad writing two 20-byte bursts of z 12 bytes apart ([0, 20) and [32, 52)).
extern "C" __global__ __aicore__ void strided_kernel(GM_ADDR x, GM_ADDR z) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 256);
  AscendC::GlobalTensor<float> xg, zg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), 64);
  zg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(z), 64);
  AscendC::LocalTensor<float> v = buf.Get<float>();
  AscendC::DataCopy(v, xg, AscendC::DataCopyParams(2, 1, 1, 0));
  AscendC::DataCopyPad(zg, v, AscendC::DataCopyExtParams(2, 20, 0, 12, 0));
  block_done();
}

bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, value) == 0;
}

// Holds its stream until the scenario opens the gate (not with VNPU_LAUNCH_BLOCKING=1,
// where the launch itself waits for the kernel).
extern "C" __global__ __aicore__ void gate_kernel(GM_ADDR) {
  if (env_is("VNPU_LAUNCH_BLOCKING", "1")) return;
  while (!g_gate.load(std::memory_order_acquire)) std::this_thread::yield();
}


// Blocks 0 and 2 call SyncAll twice, blocks 1 and 3 once.
extern "C" __global__ __aicore__ void syncall_mismatch_kernel(GM_ADDR) {
  AscendC::SyncAll();
  if (AscendC::GetBlockIdx() % 2 == 0) AscendC::SyncAll();
}

// Block 0 waits for a flag of block 1, which returns without setting it.
extern "C" __global__ __aicore__ void ibwait_kernel(GM_ADDR workspace) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 32);
  AscendC::GlobalTensor<std::int32_t> ws;
  ws.SetGlobalBuffer(reinterpret_cast<__gm__ std::int32_t*>(workspace), 64);
  if (AscendC::GetBlockIdx() == 0) AscendC::IBWait(ws, buf.Get<std::int32_t>(), 1, 0);
}

// Block 0 waits at SyncAll, block 1 for a flag block 0 would set after it: neither can go on.
extern "C" __global__ __aicore__ void syncall_ibwait_kernel(GM_ADDR workspace) {
  AscendC::TPipe pipe;
  AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
  pipe.InitBuffer(buf, 32);
  AscendC::GlobalTensor<std::int32_t> ws;
  ws.SetGlobalBuffer(reinterpret_cast<__gm__ std::int32_t*>(workspace), 64);
  if (AscendC::GetBlockIdx() == 0) {
    AscendC::SyncAll();
    AscendC::IBSet(ws, buf.Get<std::int32_t>(), 0, 0);
  } else {
    AscendC::IBWait(ws, buf.Get<std::int32_t>(), 0, 0);
  }
}

// ---- scenarios (child side) ------------------------------------------------------------

constexpr std::uint32_t kPerBlock = 64;  // floats
constexpr std::uint32_t kBlocks = 2;
constexpr std::size_t kBytes = kPerBlock * kBlocks * sizeof(float);  // 512

#define SCENARIO_OK(expr)                                                                     \
  do {                                                                                        \
    const auto scenario_rc_ = (expr);                                                         \
    if (scenario_rc_ != 0) {                                                                  \
      std::printf("error %d at line %d: %s\n", static_cast<int>(scenario_rc_), __LINE__, #expr); \
      std::exit(3);                                                                           \
    }                                                                                         \
  } while (0)

struct Env {
  aclrtStream a = nullptr, b = nullptr;
  void* x = nullptr;
  void* y = nullptr;
  std::vector<float> host = std::vector<float>(kBytes / sizeof(float), 1.0f);
  Env() {
    SCENARIO_OK(aclInit(nullptr));
    SCENARIO_OK(aclrtSetDevice(0));
    SCENARIO_OK(aclrtCreateStream(&a));
    SCENARIO_OK(aclrtCreateStream(&b));
    SCENARIO_OK(aclrtMalloc(&x, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
    SCENARIO_OK(aclrtMalloc(&y, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
    SCENARIO_OK(aclrtMemcpy(x, kBytes, host.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
    SCENARIO_OK(aclrtMemset(y, kBytes, 0, kBytes));
  }
  void finish() {
    SCENARIO_OK(aclrtSynchronizeStream(a));
    SCENARIO_OK(aclrtSynchronizeStream(b));
  }
  static unsigned char* at(void* p, std::size_t offset) { return static_cast<unsigned char*>(p) + offset; }
};

// The kernel writes y on stream a; stream b copies bytes [256, 512) of y to the host.
void copy_race(bool with_event) {
  Env e;
  SCENARIO_OK(vnpu::ascendc::launch_kernel("add_one_kernel", &add_one_kernel, kBlocks, e.a, e.x, e.y, kPerBlock));
  aclrtEvent ev = nullptr;
  if (with_event) {
    SCENARIO_OK(aclrtCreateEvent(&ev));
    SCENARIO_OK(aclrtRecordEvent(ev, e.a));
    SCENARIO_OK(aclrtStreamWaitEvent(e.b, ev));
  } else {
    wait_blocks(static_cast<int>(kBlocks));
  }
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), 256, Env::at(e.y, 256), 256, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  e.finish();
  if (ev != nullptr) SCENARIO_OK(aclrtDestroyEvent(ev));
}

// GetValue reads bytes [20, 24) of x, SetValue writes [12, 16) of y; stream b sets bytes
// [16, 32) of x and copies bytes [0, 64) of y, unordered with the kernel.
void get_set_value() {
  Env e;
  SCENARIO_OK(vnpu::ascendc::launch_kernel("scalar_kernel", &scalar_kernel, 1, e.a, e.x, e.y));
  wait_blocks(1);
  SCENARIO_OK(aclrtMemsetAsync(Env::at(e.x, 16), 16, 0, 16, e.b));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), 64, e.y, 64, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  e.finish();
}

// The kernel (one block) writes the first half of y; stream b reads the second half.
void disjoint_halves() {
  Env e;
  SCENARIO_OK(vnpu::ascendc::launch_kernel("add_one_kernel", &add_one_kernel, 1, e.a, e.x, e.y, kPerBlock));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), kBytes / 2, Env::at(e.y, kBytes / 2), kBytes / 2,
                               ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  e.finish();
}

// Bursts: stream b sets the gap between the kernel's read bursts of x (no race) and bytes
// [64, 96) of the second (a race); reads the gap between DataCopyPad's write bursts of y (no
// race) and bytes [40, 44) of its second burst (a race).
void strided() {
  Env e;
  SCENARIO_OK(vnpu::ascendc::launch_kernel("strided_kernel", &strided_kernel, 1, e.a, e.x, e.y));
  wait_blocks(1);
  SCENARIO_OK(aclrtMemsetAsync(Env::at(e.x, 32), 32, 0, 32, e.b));
  SCENARIO_OK(aclrtMemsetAsync(Env::at(e.x, 64), 32, 0, 32, e.b));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), 12, Env::at(e.y, 20), 12, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), 4, Env::at(e.y, 40), 4, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  e.finish();
}

// The kernel, queued behind a slow one, writes y; the host then sets y itself without
// waiting: the kernel's accesses become known only after the memset, and still race with it.
void memset_after_launch() {
  Env e;
  SCENARIO_OK(vnpu::ascendc::launch_kernel("gate_kernel", &gate_kernel, 1, e.a, e.x));
  SCENARIO_OK(vnpu::ascendc::launch_kernel("add_one_kernel", &add_one_kernel, kBlocks, e.a, e.x, e.y, kPerBlock));
  SCENARIO_OK(aclrtMemset(e.y, kBytes, 0, kBytes));
  open_gate();
  e.finish();
}

// <<<>>> as vnpu-cc rewrites it, racing with a copy of y on stream b.
void chevron_race() {
  Env e;
  ::vnpu::ascendc::chevron(add_one_kernel, "add_one_kernel", kBlocks, nullptr, e.a)(e.x, e.y, kPerBlock);
  wait_blocks(static_cast<int>(kBlocks));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), kBytes, e.y, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  e.finish();
}

// ICPU_RUN_KF writes y while a copy into y queued on stream b before it may still run; then a
// copy of y on stream b queued after it (ordered: ICPU_RUN_KF returns when it is done).
void icpu_race() {
  Env e;
  // Pinned: from pageable memory aclrtMemcpyAsync returns only when the copy is done.
  void* pinned = nullptr;
  SCENARIO_OK(aclrtMallocHost(&pinned, kBytes));
  std::memset(pinned, 1, kBytes);
  // On one core the gate would hold the core ICPU_RUN_KF needs; there the copy (on that
  // core, VNPU_COPY_ENGINES=0) and the kernel run in turn on one thread anyway.
  if (!env_is("VNPU_CORES", "1")) SCENARIO_OK(vnpu::ascendc::launch_kernel("gate_kernel", &gate_kernel, 1, e.b, e.x));
  SCENARIO_OK(aclrtMemcpyAsync(e.y, kBytes, pinned, kBytes, ACL_MEMCPY_HOST_TO_DEVICE, e.b));
  ICPU_RUN_KF(add_one_kernel, kBlocks, static_cast<std::uint8_t*>(e.x), static_cast<std::uint8_t*>(e.y), kPerBlock);
  open_gate();
  SCENARIO_OK(aclrtSynchronizeStream(e.b));
  SCENARIO_OK(aclrtMemcpyAsync(e.host.data(), kBytes, e.y, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, e.b));
  SCENARIO_OK(aclrtFreeHost(pinned));
  e.finish();
}

// A deadlocked launch: prints the stream's synchronize status and message.
template <class Launch>
void deadlocked(Launch launch) {
  Env e;
  // With VNPU_LAUNCH_BLOCKING=1 the launch itself reports the failure.
  const std::uint32_t launched = launch(e);
  const aclError st = launched != 0 ? static_cast<aclError>(launched) : aclrtSynchronizeStream(e.a);
  std::printf("status %d\nmessage %s\n", static_cast<int>(st), aclGetRecentErrMsg());
  // The stream takes work again.
  SCENARIO_OK(vnpu::ascendc::launch_kernel("add_one_kernel", &add_one_kernel, kBlocks, e.a, e.x, e.y, kPerBlock));
  SCENARIO_OK(aclrtSynchronizeStream(e.a));
}

int run_scenario(const std::string& name) {
  if (name == "copy_race") copy_race(false);
  else if (name == "copy_event") copy_race(true);
  else if (name == "get_set_value") get_set_value();
  else if (name == "disjoint_halves") disjoint_halves();
  else if (name == "strided") strided();
  else if (name == "memset_after_launch") memset_after_launch();
  else if (name == "chevron_race") chevron_race();
  else if (name == "icpu_race") icpu_race();
  else if (name == "syncall_mismatch")
    deadlocked([](Env& e) {
      return vnpu::ascendc::launch_kernel("syncall_mismatch_kernel", &syncall_mismatch_kernel, 4, e.a, e.y);
    });
  else if (name == "ibwait_never_set")
    deadlocked([](Env& e) { return vnpu::ascendc::launch_kernel("ibwait_kernel", &ibwait_kernel, 2, e.a, e.y); });
  else if (name == "syncall_ibwait")
    deadlocked([](Env& e) {
      return vnpu::ascendc::launch_kernel("syncall_ibwait_kernel", &syncall_ibwait_kernel, 2, e.a, e.y);
    });
  else return 2;
  std::fflush(stdout);
  return 0;
}

// ---- the parent ------------------------------------------------------------------------

std::string g_self;  // this program

struct Outcome {
  bool finished = false;  // false: killed after the time limit (a hang)
  int exit_code = -1;
  nlohmann::json report;
  std::string out;  // the child's stdout
  std::string line(const std::string& key) const {
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
      if (l.rfind(key + " ", 0) == 0) return l.substr(key.size() + 1);
    return "";
  }
};

std::string temp_path(const std::string& what) {
  static int n = 0;
  return ::testing::TempDir() + "vnpu_kcheck_" + std::to_string(getpid()) + "_" + std::to_string(++n) + "_" + what;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

Outcome run(const std::string& scenario, bool checked, int limit_s = 60) {
  const std::string report = temp_path(scenario + ".json");
  const std::string out = temp_path(scenario + ".out");
  const pid_t pid = fork();
  if (pid == 0) {
    if (checked) {
      setenv("VNPU_CHECK", "all", 1);
      setenv("VNPU_CHECK_REPORT", report.c_str(), 1);
      setenv("VNPU_CHECK_QUIET", "1", 1);
      setenv("VNPU_CHECK_SYMBOLIZE", "0", 1);
    } else {
      unsetenv("VNPU_CHECK");
    }
    if (std::freopen(out.c_str(), "w", stdout) == nullptr) _exit(126);
    execl(g_self.c_str(), g_self.c_str(), "--scenario", scenario.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  Outcome o;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      o.finished = true;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(out);
  if (checked) {
    const std::string text = slurp(report);
    if (!text.empty()) o.report = nlohmann::json::parse(text, nullptr, false);
  }
  std::remove(report.c_str());
  std::remove(out.c_str());
  return o;
}

using vnpu::test::kinds;

// Runs a checked scenario that must finish cleanly; its findings.
nlohmann::json checked(const std::string& scenario) {
  const Outcome o = run(scenario, true);
  EXPECT_TRUE(o.finished) << scenario << " hung";
  EXPECT_EQ(o.exit_code, 0) << scenario << ": " << o.out;
  EXPECT_TRUE(o.report.is_object()) << scenario << ": no report";
  return o.report.is_object() ? o.report : nlohmann::json::object({{"findings", nlohmann::json::array()}});
}

bool is_race(const nlohmann::json& f) {
  const std::string k = f["kind"];
  return k == "read-after-write" || k == "write-after-read" || k == "write-after-write";
}

// A finding over the kernel's whole output y: the blocks' slices are checked as each block
// ends, merged when one block's slice was noted before the other block ended (then one
// finding of the 512 bytes), else one finding per slice (256 bytes) folded into one.
void expect_whole_output(const nlohmann::json& f) {
  EXPECT_EQ(f["offset"].get<int>() % 256, 0) << f.dump(2);
  EXPECT_EQ(f["bytes"].get<std::size_t>() * f["count"].get<std::size_t>(), kBytes) << f.dump(2);
}

TEST(KernelCheck, DataCopyRacesWithACopyOnAnotherStream) {
  const nlohmann::json r = checked("copy_race");
  ASSERT_EQ(r["findings"].size(), 1u) << r.dump(2);
  const auto& f = r["findings"][0];
  EXPECT_TRUE(f["kind"] == "read-after-write" || f["kind"] == "write-after-read") << f.dump(2);
  EXPECT_EQ(f["offset"], 256) << f.dump(2);  // the copy's bytes of what the kernel wrote
  EXPECT_EQ(f["bytes"], 256);
  EXPECT_EQ(f["allocation_bytes"], kBytes);
  const std::string parties = f["first"]["what"].get<std::string>() + " / " + f["second"]["what"].get<std::string>();
  EXPECT_NE(parties.find("kernel 'add_one_kernel'"), std::string::npos) << parties;
  EXPECT_NE(parties.find("memcpy"), std::string::npos) << parties;
}

TEST(KernelCheck, AnEventOrdersTheCopyAfterTheKernel) {
  const nlohmann::json r = checked("copy_event");
  EXPECT_EQ(r["findings"].size(), 0u) << r.dump(2);
}

TEST(KernelCheck, GetValueAndSetValueAreNoted) {
  const nlohmann::json r = checked("get_set_value");
  ASSERT_EQ(r["findings"].size(), 2u) << r.dump(2);
  std::map<int, int> bytes_at;  // offset -> bytes
  for (const auto& f : r["findings"]) {
    EXPECT_TRUE(is_race(f)) << f.dump(2);
    bytes_at[f["offset"].get<int>()] = f["bytes"].get<int>();
  }
  EXPECT_EQ(bytes_at, (std::map<int, int>{{12, 4}, {20, 4}})) << r.dump(2);  // y[3] written, x[5] read
}

TEST(KernelCheck, BytesTheKernelDoesNotTouchDoNotConflict) {
  const nlohmann::json r = checked("disjoint_halves");
  EXPECT_EQ(r["findings"].size(), 0u) << r.dump(2);
}

TEST(KernelCheck, EachBurstIsItsOwnRange) {
  const nlohmann::json r = checked("strided");
  ASSERT_EQ(r["findings"].size(), 2u) << r.dump(2);
  std::map<int, int> bytes_at;
  for (const auto& f : r["findings"]) bytes_at[f["offset"].get<int>()] = f["bytes"].get<int>();
  EXPECT_EQ(bytes_at, (std::map<int, int>{{40, 4}, {64, 32}})) << r.dump(2);
}

TEST(KernelCheck, AccessesLearnedAsTheKernelRunsMeetEarlierAndLaterWork) {
  const nlohmann::json r = checked("memset_after_launch");
  ASSERT_EQ(kinds(r), (std::map<std::string, int>{{"write-after-write", 1}})) << r.dump(2);
  expect_whole_output(r["findings"][0]);
}

TEST(KernelCheck, ChevronLaunchesAreChecked) {
  const nlohmann::json r = checked("chevron_race");
  ASSERT_EQ(r["findings"].size(), 1u) << r.dump(2);
  expect_whole_output(r["findings"][0]);
}

TEST(KernelCheck, IcpuRunKfIsAHostOrderedCheckedTask) {
  // The copy queued before it races with the kernel; the one queued after it does not.
  const nlohmann::json r = checked("icpu_race");
  ASSERT_EQ(kinds(r), (std::map<std::string, int>{{"write-after-write", 1}})) << r.dump(2);
  const std::string parties = r["findings"][0].dump();
  EXPECT_NE(parties.find("add_one_kernel"), std::string::npos) << parties;
  EXPECT_NE(parties.find("memcpy_h2d"), std::string::npos) << parties;
}

// A deadlocked launch fails, checked or not, within the time limit; checked, it is a
// "deadlock" finding naming the kernel and `words`.
void expect_deadlock(const std::string& scenario, const std::string& kernel, const std::vector<std::string>& words) {
  for (const bool check : {false, true}) {
    SCOPED_TRACE(scenario + (check ? " checked" : " unchecked"));
    const Outcome o = run(scenario, check, 30);
    ASSERT_TRUE(o.finished) << "hung: " << o.out;
    EXPECT_EQ(o.exit_code, 0) << o.out;
    EXPECT_EQ(o.line("status"), "507015") << o.out;  // ACL_ERROR_RT_AICORE_EXCEPTION
    const std::string msg = o.line("message");
    EXPECT_NE(msg.find(kernel), std::string::npos) << msg;
    for (const std::string& w : words) EXPECT_NE(msg.find(w), std::string::npos) << w << " in " << msg;
    if (!check) continue;
    ASSERT_EQ(kinds(o.report), (std::map<std::string, int>{{"deadlock", 1}})) << o.report.dump(2);
    const auto& f = o.report["findings"][0];
    const std::string missing = f["missing"];
    EXPECT_NE(missing.find("kernel '" + kernel + "'"), std::string::npos) << missing;
    for (const std::string& w : words) EXPECT_NE(missing.find(w), std::string::npos) << w << " in " << missing;
    EXPECT_NE(f["first"]["what"].get<std::string>().find(kernel), std::string::npos) << f.dump(2);
  }
}

TEST(KernelCheck, SyncAllCountsThatCannotBeMet) {
  expect_deadlock("syncall_mismatch", "syncall_mismatch_kernel",
                  {"blocks 0, 2 wait at sync_all call #2", "blocks 1, 3 returned after calling sync_all once"});
}

TEST(KernelCheck, IBWaitNobodyWillSatisfy) {
  expect_deadlock("ibwait_never_set", "ibwait_kernel",
                  {"IBWait", "every other block of the launch has finished", "flag of block 1, event 0"});
}

TEST(KernelCheck, SyncAllAndIBWaitWaitingForEachOther) {
  expect_deadlock("syncall_ibwait", "syncall_ibwait_kernel", {"IBWait", "1 at SyncAll", "flag of block 0, event 0"});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--scenario") == 0) return run_scenario(argv[2]);
  g_self = argv[0];
  if (char* self = realpath("/proc/self/exe", nullptr)) {
    g_self = self;
    std::free(self);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
