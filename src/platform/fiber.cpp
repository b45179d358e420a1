// Fiber: context switching by saving the callee-saved registers on the stack being left
// and loading them from the stack being entered (System V x86-64, AAPCS64); elsewhere,
// ucontext.
#include "platform/fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VNPU_FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define VNPU_FIBER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VNPU_FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define VNPU_FIBER_TSAN 1
#endif

#if defined(VNPU_FIBER_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(VNPU_FIBER_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

#if !defined(__x86_64__) && !defined(__aarch64__)
#include <ucontext.h>
#define VNPU_FIBER_UCONTEXT 1
#endif

namespace vnpu::detail {
namespace {

thread_local Fiber* t_current = nullptr;

}  // namespace
}  // namespace vnpu::detail

#if !defined(VNPU_FIBER_UCONTEXT)
// vnpu_fiber_switch(void** save_sp, void* load_sp): pushes the callee-saved state onto the
// current stack, stores the stack pointer in *save_sp, switches to load_sp and pops the
// state saved there, returning into the context that saved it. vnpu_fiber_trampoline is
// where a new fiber's first switch returns: it calls entry(arg), both taken from
// callee-saved registers of the initial frame.
extern "C" void vnpu_fiber_switch(void** save_sp, void* load_sp);
extern "C" void vnpu_fiber_trampoline();

#if defined(__x86_64__)
// Frame (from the saved stack pointer up): mxcsr + x87 control word (8 bytes), r15, r14,
// r13, r12, rbx, rbp, return address.
asm(R"(
  .text
  .globl vnpu_fiber_switch
  .type vnpu_fiber_switch, @function
vnpu_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size vnpu_fiber_switch, .-vnpu_fiber_switch

  .globl vnpu_fiber_trampoline
  .type vnpu_fiber_trampoline, @function
vnpu_fiber_trampoline:
  movq %r12, %rdi
  callq *%r13
  ud2
  .size vnpu_fiber_trampoline, .-vnpu_fiber_trampoline
  .section .note.GNU-stack,"",@progbits
  .text
)");
#elif defined(__aarch64__)
// Frame (176 bytes): x19..x30 (x29 frame pointer, x30 return address), d8..d15.
asm(R"(
  .text
  .globl vnpu_fiber_switch
  .type vnpu_fiber_switch, %function
vnpu_fiber_switch:
  sub sp, sp, #176
  stp x19, x20, [sp, #0]
  stp x21, x22, [sp, #16]
  stp x23, x24, [sp, #32]
  stp x25, x26, [sp, #48]
  stp x27, x28, [sp, #64]
  stp x29, x30, [sp, #80]
  stp d8, d9, [sp, #96]
  stp d10, d11, [sp, #112]
  stp d12, d13, [sp, #128]
  stp d14, d15, [sp, #144]
  mov x2, sp
  str x2, [x0]
  mov sp, x1
  ldp x19, x20, [sp, #0]
  ldp x21, x22, [sp, #16]
  ldp x23, x24, [sp, #32]
  ldp x25, x26, [sp, #48]
  ldp x27, x28, [sp, #64]
  ldp x29, x30, [sp, #80]
  ldp d8, d9, [sp, #96]
  ldp d10, d11, [sp, #112]
  ldp d12, d13, [sp, #128]
  ldp d14, d15, [sp, #144]
  add sp, sp, #176
  ret
  .size vnpu_fiber_switch, .-vnpu_fiber_switch

  .globl vnpu_fiber_trampoline
  .type vnpu_fiber_trampoline, %function
vnpu_fiber_trampoline:
  mov x0, x19
  blr x20
  brk #0
  .size vnpu_fiber_trampoline, .-vnpu_fiber_trampoline
  .section .note.GNU-stack,"",%progbits
  .text
)");
#endif
#endif  // !VNPU_FIBER_UCONTEXT

namespace vnpu::detail {
namespace {

std::size_t page_size() noexcept {
  static const auto p = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return p;
}

#if defined(VNPU_FIBER_UCONTEXT)
struct UContexts {
  ucontext_t fiber;
  ucontext_t caller;
};
#endif

// Switches from the calling context to the one whose stack pointer is `to`, saving ours in
// *save. The sanitizers hear of it: ASan through start/finish_switch_fiber around the
// switch, TSan through switch_to_fiber before it.
inline void switch_stacks(void** save, void* to) noexcept {
#if defined(VNPU_FIBER_UCONTEXT)
  (void)save;
  (void)to;
#else
  vnpu_fiber_switch(save, to);
#endif
}

}  // namespace

Fiber::Fiber(Entry entry, void* arg, std::size_t stack_bytes) : entry_(entry), arg_(arg) {
  const std::size_t page = page_size();
  const std::size_t body = (stack_bytes + page - 1) / page * page;
  void* m = mmap(nullptr, body + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (m == MAP_FAILED) return;
  (void)mprotect(m, page, PROT_NONE);  // the guard below the stack (it grows down)
  stack_ = m;
  mapped_ = body + page;
#if defined(VNPU_FIBER_UCONTEXT)
  sp_ = new (std::nothrow) UContexts();
  if (sp_ == nullptr) {
    munmap(stack_, mapped_);
    stack_ = nullptr;
    return;
  }
#endif
#if defined(VNPU_FIBER_TSAN)
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
  reset(entry, arg);
}

void Fiber::reset(Entry entry, void* arg) noexcept {
  if (stack_ == nullptr) return;
  entry_ = entry;
  arg_ = arg;
  finished_ = false;
  const std::size_t page = page_size();
#if defined(VNPU_FIBER_ASAN)
  // A body that did not return normally (or ASan's bookkeeping of the last one) may have left
  // redzones poisoned: the new body starts on a clean stack.
  __asan_unpoison_memory_region(static_cast<unsigned char*>(stack_) + page, mapped_ - page);
#endif
  auto* top = static_cast<unsigned char*>(stack_) + mapped_;  // page aligned, so 16-byte aligned
#if defined(VNPU_FIBER_UCONTEXT)
  auto* uc = static_cast<UContexts*>(sp_);
  getcontext(&uc->fiber);
  uc->fiber.uc_stack.ss_sp = static_cast<unsigned char*>(stack_) + page;
  uc->fiber.uc_stack.ss_size = mapped_ - page;
  uc->fiber.uc_link = nullptr;
  makecontext(&uc->fiber, reinterpret_cast<void (*)()>(&Fiber::start), 1, this);
  (void)top;
#elif defined(__x86_64__)
  (void)page;
  auto* frame = reinterpret_cast<std::uint64_t*>(top - 80);
  std::uint32_t control[2] = {0, 0};
  asm volatile("stmxcsr %0" : "=m"(control[0]));
  asm volatile("fnstcw %0" : "=m"(control[1]));
  frame[0] = static_cast<std::uint64_t>(control[0]) | (static_cast<std::uint64_t>(control[1] & 0xFFFF) << 32);
  frame[1] = 0;                                                      // r15
  frame[2] = 0;                                                      // r14
  frame[3] = reinterpret_cast<std::uint64_t>(&Fiber::start);         // r13: the function
  frame[4] = reinterpret_cast<std::uint64_t>(this);                  // r12: its argument
  frame[5] = 0;                                                      // rbx
  frame[6] = 0;                                                      // rbp
  frame[7] = reinterpret_cast<std::uint64_t>(&vnpu_fiber_trampoline);  // return address
  sp_ = frame;
#elif defined(__aarch64__)
  auto* frame = reinterpret_cast<std::uint64_t*>(top - 176);
  for (int i = 0; i < 22; ++i) frame[i] = 0;
  frame[0] = reinterpret_cast<std::uint64_t>(this);                   // x19: the argument
  frame[1] = reinterpret_cast<std::uint64_t>(&Fiber::start);          // x20: the function
  frame[11] = reinterpret_cast<std::uint64_t>(&vnpu_fiber_trampoline);  // x30
  sp_ = frame;
  (void)page;
#endif
}

Fiber::~Fiber() {
#if defined(VNPU_FIBER_TSAN)
  if (tsan_fiber_ != nullptr) __tsan_destroy_fiber(tsan_fiber_);
#endif
#if defined(VNPU_FIBER_UCONTEXT)
  delete static_cast<UContexts*>(sp_);
#endif
  if (stack_ != nullptr) {
#if defined(VNPU_FIBER_ASAN)
    // The stack's frames left their redzones poisoned in ASan's shadow; memory mapped at
    // these addresses later (a scratch arena) must not inherit them.
    __asan_unpoison_memory_region(stack_, mapped_);
#endif
    munmap(stack_, mapped_);
  }
}

Fiber* Fiber::current() noexcept { return t_current; }

bool Fiber::resume() noexcept {
  if (finished_ || stack_ == nullptr) return true;
  polling_ = false;
  t_current = this;
#if defined(VNPU_FIBER_TSAN)
  tsan_caller_ = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
#if defined(VNPU_FIBER_ASAN)
  __sanitizer_start_switch_fiber(&asan_fake_stack_, static_cast<unsigned char*>(stack_) + page_size(),
                                 mapped_ - page_size());
#endif
#if defined(VNPU_FIBER_UCONTEXT)
  auto* uc = static_cast<UContexts*>(sp_);
  swapcontext(&uc->caller, &uc->fiber);
#else
  switch_stacks(&caller_sp_, sp_);
#endif
#if defined(VNPU_FIBER_ASAN)
  __sanitizer_finish_switch_fiber(asan_fake_stack_, nullptr, nullptr);
#endif
  t_current = nullptr;
  return finished_;
}

void Fiber::suspend() noexcept {
  Fiber* self = t_current;
  if (self == nullptr) return;
#if defined(VNPU_FIBER_TSAN)
  __tsan_switch_to_fiber(self->tsan_caller_, 0);
#endif
#if defined(VNPU_FIBER_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(self->finished_ ? nullptr : &fake, self->caller_stack_bottom_,
                                 self->caller_stack_size_);
#endif
#if defined(VNPU_FIBER_UCONTEXT)
  auto* uc = static_cast<UContexts*>(self->sp_);
  swapcontext(&uc->fiber, &uc->caller);
#else
  switch_stacks(&self->sp_, self->caller_sp_);
#endif
#if defined(VNPU_FIBER_ASAN)
  __sanitizer_finish_switch_fiber(fake, &self->caller_stack_bottom_, &self->caller_stack_size_);
#endif
}

void Fiber::start(void* p) noexcept {
  auto* self = static_cast<Fiber*>(p);
#if defined(VNPU_FIBER_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, &self->caller_stack_bottom_, &self->caller_stack_size_);
#endif
  self->entry_(self->arg_);
  self->finished_ = true;
  suspend();  // never resumed again
  std::abort();
}

}  // namespace vnpu::detail
