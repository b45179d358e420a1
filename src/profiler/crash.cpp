// A profile for a process that crashes.
//
// VNPU_PROFILE writes its trace at exit; a process that dies of a fatal signal (SIGSEGV,
// SIGBUS, SIGFPE, SIGILL, SIGABRT) or through std::terminate never gets there. While a
// session VNPU_PROFILE started records, handlers for those write the spans captured so far
// first, then let the process die exactly as it would have without vnpu.
//
// Writing a trace allocates, formats and takes locks: nothing a signal handler may do, and
// a crash inside malloc, or with a profiler lock held, would deadlock it. So the handler
// forks. The child (one thread, a copy of the dying process) resets the profiler's locks
// and writes the trace; the parent waits for it with async-signal-safe calls, for at most
// kWriteTimeoutS. A child that deadlocks or crashes costs the trace, nothing more, and the
// parent's memory is left as the crash left it, for its core dump.
//
// Then the previous action is restored and the signal delivered to it again: a signal sent
// by a process (kill, raise, abort) is raised again, a fault (si_code > 0) recurs when the
// faulting instruction runs again on return, as crash reporters do. A handler the program
// installed before vnpu runs as it would have; with none, the default action ends the
// process with the same signal and core dump. Only the first fatal signal writes: another
// thread's waits for that write, then takes the same way out; the terminate handler writes,
// then calls the previous one (by default it aborts, and SIGABRT finds the work done).
#include "profiler/crash.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <iterator>
#include <mutex>

#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "profiler/session.hpp"

namespace vnpu::detail::prof {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr const char* kSignalNames[] = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT"};
// The child's time to write the trace (a million spans take about a second); the message
// in write_in_child() says it.
constexpr int kWriteTimeoutS = 30;

struct sigaction g_previous[std::size(kSignals)];
std::terminate_handler g_previous_terminate = nullptr;

enum : int { kIdle, kWriting, kDone };
std::atomic<int> g_state{kIdle};
// Set on the thread that writes, to tell a crash while writing from another thread's crash
// (initial-exec: no allocation on first use in a signal handler).
constinit thread_local bool t_writing [[gnu::tls_model("initial-exec")]] = false;

void say(const char* line) noexcept { (void)!write(STDERR_FILENO, line, std::strlen(line)); }

// fork() without the atfork handlers and malloc's locks, which a crash may hold.
pid_t fork_child() noexcept {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  return _Fork();
#else
  return fork();
#endif
}

// Ends the child at once, running no exit hooks: a sanitizer's leak check at _exit waits
// on locks that threads left behind by the fork may hold.
[[noreturn]] void end_child(int code) noexcept {
#if defined(__linux__)
  syscall(SYS_exit_group, code);
#endif
  _exit(code);
}

double seconds_since(const timespec& t0) noexcept {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec - t0.tv_sec) + static_cast<double>(t.tv_nsec - t0.tv_nsec) * 1e-9;
}

// The parent's side: async-signal-safe calls only.
void write_in_child(const char* cause) noexcept {
  if (!env_session_recording()) return;
  const pid_t child = fork_child();
  if (child < 0) {
    say("vnpu: cannot write the profile: fork failed\n");
    return;
  }
  if (child == 0) {
    for (int s : kSignals) signal(s, SIG_DFL);  // a crash in the child ends the child
    end_child(write_env_trace_in_crash_child(cause) ? 0 : 1);
  }
  timespec t0{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) {
      if (WIFSIGNALED(status)) say("vnpu: cannot write the profile: its writer crashed\n");
      return;
    }
    if (r < 0 && errno != EINTR) return;  // ECHILD: the program reaps its children itself
    if (seconds_since(t0) >= kWriteTimeoutS) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      static_assert(kWriteTimeoutS == 30, "the message names the timeout");
      say("vnpu: gave up writing the profile after 30 s\n");
      return;
    }
    const timespec pause = {0, 10'000'000};
    nanosleep(&pause, nullptr);
  }
}

// Writes once. A second caller waits until the first is done, unless it is the writer
// itself, re-entered by a crash while writing.
void write_once(const char* cause) noexcept {
  int idle = kIdle;
  if (g_state.compare_exchange_strong(idle, kWriting)) {
    t_writing = true;
    write_in_child(cause);
    g_state.store(kDone);
    return;
  }
  if (t_writing) return;
  while (g_state.load() != kDone) {
    const timespec pause = {0, 10'000'000};
    nanosleep(&pause, nullptr);
  }
}

void on_fatal_signal(int sig, siginfo_t* info, void* /*context*/) {
  const int saved_errno = errno;
  std::size_t i = 0;
  while (kSignals[i] != sig) ++i;
  write_once(kSignalNames[i]);
  sigaction(sig, &g_previous[i], nullptr);
  // Sent by a process: raise it again (it is blocked until this handler returns). A fault
  // recurs by itself when the instruction runs again.
  if (info == nullptr || info->si_code <= 0 || sig == SIGABRT) raise(sig);
  errno = saved_errno;
}

[[noreturn]] void on_terminate() {
  write_once("std::terminate");
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

}  // namespace

void install_crash_handlers() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGCHLD);  // the writer's end is for waitpid, not the program's handler
    for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &g_previous[i]);
    g_previous_terminate = std::set_terminate(on_terminate);
  });
}

}  // namespace vnpu::detail::prof
