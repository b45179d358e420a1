// vnpu::Communicator::local — ranks that are devices of one process — from C++: every
// collective on streams of each rank's device against the scalar references of
// comm_reference.hpp (bit for bit, the same bits on every rank), ranks that disagree (every
// rank's synchronize fails with kTaskFailed, none hangs), argument errors returned at the
// call, drain(), communicators dropped with work queued, and many threads driving ranks of
// two communicators at once.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "comm_reference.hpp"
#include "support/test_support.hpp"
#include "vnpu/communicator.hpp"
#include "vnpu/event.hpp"
#include "vnpu/memory.hpp"

namespace {

using namespace std::chrono_literals;
using namespace vnpu::comm_test;
using vnpu::CommType;
using vnpu::Communicator;
using vnpu::Device;
using vnpu::ReduceOp;
using vnpu::Status;
using vnpu::Stream;

CommType ct(T t) { return static_cast<CommType>(static_cast<int>(t)); }
ReduceOp rop(O o) { return static_cast<ReduceOp>(static_cast<int>(o)); }

constexpr auto kNoHang = 60s;  // a collective that has not finished by then hangs

// Device memory of one rank, freed at the end of the test.
class Buffers {
 public:
  ~Buffers() {
    for (void* p : owned_) (void)vnpu::free(p);
  }
  void* alloc(const Device& d, std::size_t bytes) {
    void* p = d.malloc(bytes == 0 ? 64 : bytes).value();
    owned_.push_back(p);
    return p;
  }
  void* put(const Device& d, const std::vector<unsigned char>& host) {
    void* p = alloc(d, host.size());
    EXPECT_OK(vnpu::memcpy(p, host.size(), host.data(), host.size()));
    return p;
  }
  static std::vector<unsigned char> get(const void* p, std::size_t bytes) {
    std::vector<unsigned char> h(bytes);
    EXPECT_OK(vnpu::memcpy(h.data(), bytes, p, bytes));
    return h;
  }

 private:
  std::vector<void*> owned_;
};

// n devices of one core each, a memory communicator over them, two streams per rank.
struct Ranks {
  explicit Ranks(int n) {
    for (int r = 0; r < n; ++r) devices.push_back(vnpu::test::make_device(1, 1).value());
    comms = Communicator::local(devices).value();
    for (int r = 0; r < n; ++r) {
      streams.push_back(devices[static_cast<std::size_t>(r)].create_stream().value());
      streams2.push_back(devices[static_cast<std::size_t>(r)].create_stream().value());
    }
  }
  int n() const { return static_cast<int>(comms.size()); }
  Device& dev(int r) { return devices[static_cast<std::size_t>(r)]; }
  Communicator& comm(int r) { return comms[static_cast<std::size_t>(r)]; }
  Stream& stream(int r) { return streams[static_cast<std::size_t>(r)]; }
  // Synchronizes every rank's stream; each must succeed (and never hang).
  void sync_all(std::vector<Stream>& ss) {
    for (int r = 0; r < n(); ++r) {
      const Status s = ss[static_cast<std::size_t>(r)].synchronize(kNoHang);
      ASSERT_NE(s, Status::kTimeout) << "rank " << r << "'s stream hangs";
      EXPECT_OK(s) << "rank " << r << ": " << vnpu::last_error_message();
    }
  }
  void sync_all() { sync_all(streams); }

  std::vector<Device> devices;
  std::vector<Communicator> comms;
  std::vector<Stream> streams, streams2;
};

class LocalCollectives : public testing::TestWithParam<int> {};

TEST(LocalCommunicator, RanksSizeTransportAndDevices) {
  for (int n = 1; n <= 4; ++n) {
    Ranks ranks(n);
    for (int r = 0; r < n; ++r) {
      EXPECT_TRUE(static_cast<bool>(ranks.comm(r)));
      EXPECT_EQ(ranks.comm(r).rank(), static_cast<std::uint32_t>(r));
      EXPECT_EQ(ranks.comm(r).size(), static_cast<std::uint32_t>(n));
      EXPECT_STREQ(ranks.comm(r).transport(), "memory");
      EXPECT_EQ(ranks.comm(r).device().impl(), ranks.dev(r).impl());
      EXPECT_OK(ranks.comm(r).first_failure());
      Communicator copy = ranks.comm(r);  // a handle: the copy is the same rank
      EXPECT_EQ(copy.rank(), static_cast<std::uint32_t>(r));
    }
  }
  EXPECT_EQ(Communicator::local({}).status(), Status::kInvalidArgument);
  std::vector<Device> with_empty = {vnpu::test::make_device(1, 1).value(), Device()};
  EXPECT_EQ(Communicator::local(with_empty).status(), Status::kInvalidHandle);
}

TEST(LocalCommunicator, EmptyHandleIsAnError) {
  Communicator none;
  EXPECT_FALSE(static_cast<bool>(none));
  Device d = vnpu::test::make_device(1, 1).value();
  Stream s = d.create_stream().value();
  float x = 0;
  EXPECT_EQ(none.all_reduce(&x, &x, 1, CommType::kF32, ReduceOp::kSum, s), Status::kInvalidHandle);
  EXPECT_EQ(none.barrier(s), Status::kInvalidHandle);
  EXPECT_EQ(none.drain(), Status::kInvalidHandle);
  EXPECT_EQ(none.first_failure(), Status::kInvalidHandle);
}

TEST_P(LocalCollectives, AllReduceEveryTypeAndOperator) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  for (int ti = 0; ti < kTypes; ++ti)
    for (int oi = 0; oi < kOps; ++oi)
      for (std::uint64_t count : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1023}}) {
        const T t = static_cast<T>(ti);
        const O o = static_cast<O>(oi);
        const bool in_place = (ti + oi + count) % 2 == 0;
        const std::uint64_t salt = mix(0x100 + static_cast<std::uint64_t>(ti * 4 + oi));
        const std::size_t bytes = count * size_of(t);
        SCOPED_TRACE(testing::Message() << n << " ranks, " << name_of(t) << " " << name_of(o) << " count=" << count
                                        << (in_place ? " in place" : " out of place"));
        Buffers mem;
        std::vector<void*> send, recv;
        for (int r = 0; r < n; ++r) {
          send.push_back(mem.put(ranks.dev(r), fill(t, oi, r, salt, 0, count)));
          recv.push_back(in_place ? send.back() : mem.alloc(ranks.dev(r), bytes));
        }
        for (int r = 0; r < n; ++r)
          ASSERT_OK(ranks.comm(r).all_reduce(send[static_cast<std::size_t>(r)], recv[static_cast<std::size_t>(r)], count,
                                             ct(t), rop(o), ranks.stream(r)));
        ranks.sync_all();
        const auto first = Buffers::get(recv[0], bytes);
        EXPECT_EQ(check_fold(first.data(), t, o, n, salt, 0, count), "");
        for (int r = 1; r < n; ++r)
          EXPECT_EQ(Buffers::get(recv[static_cast<std::size_t>(r)], bytes), first) << "rank " << r << " differs from rank 0";
      }
}

TEST_P(LocalCollectives, ReduceAndReduceScatter) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  const std::uint64_t count = 777;
  for (int ti = 0; ti < kTypes; ++ti) {
    const T t = static_cast<T>(ti);
    const O o = static_cast<O>(ti % kOps);
    const std::size_t es = size_of(t), bytes = count * es;
    for (int root = 0; root < n; ++root) {
      SCOPED_TRACE(testing::Message() << "Reduce " << name_of(t) << " " << name_of(o) << " root " << root);
      const std::uint64_t salt = mix(0x200 + static_cast<std::uint64_t>(ti * 8 + root));
      Buffers mem;
      std::vector<void*> send, recv;
      const std::vector<unsigned char> untouched(bytes, 0x5a);
      for (int r = 0; r < n; ++r) {
        send.push_back(mem.put(ranks.dev(r), fill(t, static_cast<int>(o), r, salt, 0, count)));
        recv.push_back(mem.put(ranks.dev(r), untouched));
      }
      for (int r = 0; r < n; ++r)
        ASSERT_OK(ranks.comm(r).reduce(send[static_cast<std::size_t>(r)], recv[static_cast<std::size_t>(r)], count, ct(t),
                                       rop(o), static_cast<std::uint32_t>(root), ranks.stream(r)));
      ranks.sync_all();
      for (int r = 0; r < n; ++r) {
        const auto got = Buffers::get(recv[static_cast<std::size_t>(r)], bytes);
        if (r == root) {
          EXPECT_EQ(check_fold(got.data(), t, o, n, salt, 0, count), "");
        } else {
          EXPECT_EQ(got, untouched) << "Reduce wrote rank " << r << "'s recv, which is not the root";
        }
      }
    }
    for (int in_place = 0; in_place < 2; ++in_place) {
      SCOPED_TRACE(testing::Message() << "ReduceScatter " << name_of(t) << " " << name_of(o)
                                      << (in_place ? " in place" : ""));
      const std::uint64_t salt = mix(0x300 + static_cast<std::uint64_t>(ti));
      Buffers mem;
      std::vector<void*> send, recv;
      for (int r = 0; r < n; ++r) {
        send.push_back(mem.put(ranks.dev(r), fill(t, static_cast<int>(o), r, salt, 0, count * static_cast<std::uint64_t>(n))));
        recv.push_back(in_place ? static_cast<unsigned char*>(send.back()) + static_cast<std::size_t>(r) * bytes
                                : mem.alloc(ranks.dev(r), bytes));
      }
      for (int r = 0; r < n; ++r)
        ASSERT_OK(ranks.comm(r).reduce_scatter(send[static_cast<std::size_t>(r)], recv[static_cast<std::size_t>(r)], count,
                                               ct(t), rop(o), ranks.stream(r)));
      ranks.sync_all();
      for (int r = 0; r < n; ++r) {
        const auto got = Buffers::get(recv[static_cast<std::size_t>(r)], bytes);
        EXPECT_EQ(check_fold(got.data(), t, o, n, salt, static_cast<std::uint64_t>(r) * count, count), "") << "rank " << r;
      }
    }
  }
}

TEST_P(LocalCollectives, BroadcastAllGatherScatterAllToAll) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  const std::uint64_t count = 513;
  for (int ti = 0; ti < kTypes; ++ti) {
    const T t = static_cast<T>(ti);
    const std::size_t bytes = count * size_of(t), total = bytes * static_cast<std::size_t>(n);
    const std::uint64_t salt = mix(0x400 + static_cast<std::uint64_t>(ti));
    for (int root = 0; root < n; ++root) {
      SCOPED_TRACE(testing::Message() << name_of(t) << " root " << root);
      Buffers mem;
      std::vector<void*> bc, sc_in, sc_out;
      for (int r = 0; r < n; ++r) {
        bc.push_back(mem.put(ranks.dev(r), fill(t, kRaw, r, r == root ? salt : ~salt, 0, count)));
        sc_in.push_back(mem.put(ranks.dev(r), fill(t, kRaw, r, salt + 1, 0, count * static_cast<std::uint64_t>(n))));
        sc_out.push_back(mem.alloc(ranks.dev(r), bytes));
      }
      for (int r = 0; r < n; ++r) {
        const auto i = static_cast<std::size_t>(r);
        ASSERT_OK(ranks.comm(r).broadcast(bc[i], count, ct(t), static_cast<std::uint32_t>(root), ranks.stream(r)));
        ASSERT_OK(ranks.comm(r).scatter(sc_in[i], sc_out[i], count, ct(t), static_cast<std::uint32_t>(root), ranks.stream(r)));
      }
      ranks.sync_all();
      for (int r = 0; r < n; ++r) {
        const auto i = static_cast<std::size_t>(r);
        EXPECT_EQ(check_raw(Buffers::get(bc[i], bytes).data(), t, root, salt, 0, count), "") << "Broadcast, rank " << r;
        EXPECT_EQ(check_raw(Buffers::get(sc_out[i], bytes).data(), t, root, salt + 1, static_cast<std::uint64_t>(r) * count,
                            count),
                  "")
            << "Scatter, rank " << r;
      }
    }
    SCOPED_TRACE(testing::Message() << name_of(t) << " AllGather, AllToAll");
    Buffers mem;
    std::vector<void*> ag_in, ag_out, aa_in, aa_out;
    for (int r = 0; r < n; ++r) {
      ag_in.push_back(mem.put(ranks.dev(r), fill(t, kRaw, r, salt + 2, 0, count)));
      ag_out.push_back(mem.alloc(ranks.dev(r), total));
      aa_in.push_back(mem.put(ranks.dev(r), fill(t, kRaw, r, salt + 3, 0, count * static_cast<std::uint64_t>(n))));
      aa_out.push_back(mem.alloc(ranks.dev(r), total));
    }
    for (int r = 0; r < n; ++r) {
      const auto i = static_cast<std::size_t>(r);
      ASSERT_OK(ranks.comm(r).all_gather(ag_in[i], ag_out[i], count, ct(t), ranks.stream(r)));
      // The same stream: a rank's collectives must reach its lane in the same order on
      // every rank (two unordered streams would not guarantee it).
      ASSERT_OK(ranks.comm(r).all_to_all(aa_in[i], aa_out[i], count, ct(t), ranks.stream(r)));
    }
    ranks.sync_all();
    for (int r = 0; r < n; ++r) {
      const auto i = static_cast<std::size_t>(r);
      const auto ag = Buffers::get(ag_out[i], total), aa = Buffers::get(aa_out[i], total);
      for (int q = 0; q < n; ++q) {
        const std::size_t off = static_cast<std::size_t>(q) * bytes;
        EXPECT_EQ(check_raw(ag.data() + off, t, q, salt + 2, 0, count), "") << "AllGather, rank " << r << ", block " << q;
        EXPECT_EQ(check_raw(aa.data() + off, t, q, salt + 3, static_cast<std::uint64_t>(r) * count, count), "")
            << "AllToAll, rank " << r << ", block from " << q;
      }
    }
  }
}

TEST_P(LocalCollectives, AllToAllVSendRecvAndBarrier) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  const T t = T::kU16;
  const std::uint64_t salt = mix(0x500);
  // Rank i sends rank j (3i + j) % 4 * 100 elements; blocks packed in rank order on the
  // send side, in reverse rank order with 7-element gaps on the receive side.
  auto cnt = [](int i, int j) { return static_cast<std::uint64_t>((3 * i + j) % 4) * 100; };
  std::vector<std::vector<std::uint64_t>> sc(n), sd(n), rc(n), rd(n);
  std::vector<std::uint64_t> stot(n, 0), rtot(n, 0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      sc[i].push_back(cnt(i, j));
      sd[i].push_back(stot[i]);
      stot[i] += cnt(i, j);
    }
  for (int j = 0; j < n; ++j) {
    rc[j].assign(n, 0);
    rd[j].assign(n, 0);
    for (int i = n - 1; i >= 0; --i) {
      rc[j][i] = cnt(i, j);
      rd[j][i] = rtot[j];
      rtot[j] += cnt(i, j) + 7;
    }
  }
  Buffers mem;
  std::vector<void*> in, out;
  for (int r = 0; r < n; ++r) {
    in.push_back(mem.put(ranks.dev(r), fill(t, kRaw, r, salt, 0, stot[r])));
    out.push_back(mem.put(ranks.dev(r), std::vector<unsigned char>(rtot[r] * 2, 0xee)));
  }
  for (int r = 0; r < n; ++r) {
    std::vector<std::uint64_t> a = sc[r], b = sd[r], c = rc[r], d = rd[r];
    ASSERT_OK(ranks.comm(r).all_to_all_v(in[r], a, b, ct(t), out[r], c, d, ct(t), ranks.stream(r)));
    // "copied at the call": changing the arrays now must not matter.
    std::fill(a.begin(), a.end(), 0);
    std::fill(d.begin(), d.end(), 999999);
  }
  ranks.sync_all();
  for (int r = 0; r < n; ++r) {
    const auto got = Buffers::get(out[r], rtot[r] * 2);
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(check_raw(got.data() + rd[r][i] * 2, t, i, salt, sd[i][r], rc[r][i]), "")
          << "AllToAllV, rank " << r << ", block from " << i;
      for (std::uint64_t k = 0; k < 7 * 2; ++k)
        ASSERT_EQ(got[(rd[r][i] + rc[r][i]) * 2 + k], 0xee) << "AllToAllV wrote a gap of rank " << r << "'s recv";
    }
  }
  // Send/recv around the ring, twice (messages between two ranks meet in issue order), then
  // a barrier.
  Buffers mem2;
  std::vector<void*> a, b, c;
  for (int r = 0; r < n; ++r) {
    a.push_back(mem2.put(ranks.dev(r), fill(T::kF64, kRaw, r, salt + 1, 0, 300)));
    b.push_back(mem2.alloc(ranks.dev(r), 300 * 8));
    c.push_back(mem2.alloc(ranks.dev(r), 100 * 8));
  }
  for (int r = 0; r < n; ++r) {
    const auto next = static_cast<std::uint32_t>((r + 1) % n), prev = static_cast<std::uint32_t>((r + n - 1) % n);
    if (n == 1) break;
    if (r % 2 == 0) {
      ASSERT_OK(ranks.comm(r).send(a[r], 300, CommType::kF64, next, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).send(a[r], 100, CommType::kF64, next, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).recv(b[r], 300, CommType::kF64, prev, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).recv(c[r], 100, CommType::kF64, prev, ranks.stream(r)));
    } else {
      ASSERT_OK(ranks.comm(r).recv(b[r], 300, CommType::kF64, prev, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).recv(c[r], 100, CommType::kF64, prev, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).send(a[r], 300, CommType::kF64, next, ranks.stream(r)));
      ASSERT_OK(ranks.comm(r).send(a[r], 100, CommType::kF64, next, ranks.stream(r)));
    }
    ASSERT_OK(ranks.comm(r).barrier(ranks.stream(r)));
  }
  ranks.sync_all();
  for (int r = 0; r < n && n > 1; ++r) {
    const int prev = (r + n - 1) % n;
    EXPECT_EQ(check_raw(Buffers::get(b[r], 300 * 8).data(), T::kF64, prev, salt + 1, 0, 300), "") << "recv, rank " << r;
    EXPECT_EQ(check_raw(Buffers::get(c[r], 100 * 8).data(), T::kF64, prev, salt + 1, 0, 100), "") << "recv, rank " << r;
  }
}

// A rank's collectives on two streams ordered by an event: the second all-reduce sums n
// copies of the first one's result, so it must run after it on every rank.
TEST_P(LocalCollectives, StreamsOrderedByAnEvent) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  const std::uint64_t count = 2000, salt = mix(0x650);
  Buffers mem;
  std::vector<void*> in, mid, out;
  std::vector<vnpu::Event> events;
  for (int r = 0; r < n; ++r) {
    in.push_back(mem.put(ranks.dev(r), fill(T::kU32, 0, r, salt, 0, count)));
    mid.push_back(mem.alloc(ranks.dev(r), count * 4));
    out.push_back(mem.alloc(ranks.dev(r), count * 4));
    events.push_back(vnpu::Event::create().value());
  }
  for (int r = 0; r < n; ++r) {
    ASSERT_OK(ranks.comm(r).all_reduce(in[r], mid[r], count, CommType::kU32, ReduceOp::kSum, ranks.stream(r)));
    ASSERT_OK(ranks.stream(r).record(events[r]));
    ASSERT_OK(ranks.streams2[r].wait(events[r]));
    ASSERT_OK(ranks.comm(r).all_reduce(mid[r], out[r], count, CommType::kU32, ReduceOp::kSum, ranks.streams2[r]));
  }
  ranks.sync_all(ranks.streams2);
  ranks.sync_all();
  const auto first = Buffers::get(mid[0], count * 4);
  EXPECT_EQ(check_fold(first.data(), T::kU32, O::kSum, n, salt, 0, count), "");
  for (int r = 0; r < n; ++r) {
    const auto got = Buffers::get(out[r], count * 4);
    for (std::uint64_t k = 0; k < count; ++k) {
      const auto want = static_cast<std::uint32_t>(load(first.data(), k, T::kU32) * static_cast<std::uint64_t>(n));
      ASSERT_EQ(load(got.data(), k, T::kU32), want) << "rank " << r << ", element " << k;
    }
  }
}

// Past one engine segment (n pieces of 4 MiB): the last segment has fewer elements than
// ranks. Every element's bits do not depend on the message size: a short all-reduce of the
// same inputs gives the same leading elements.
TEST_P(LocalCollectives, LargeAllReduceIsIndependentOfTheMessageSize) {
  Ranks ranks(GetParam());
  const int n = ranks.n();
  const T t = T::kF64;
  const O o = O::kSum;
  const std::uint64_t big = (std::uint64_t{4} << 20) / 8 * static_cast<std::uint64_t>(n) + 1, small = 1000;
  const std::uint64_t salt = mix(0x600);
  Buffers mem;
  std::vector<void*> bufs, smalls;
  for (int r = 0; r < n; ++r) {
    bufs.push_back(mem.put(ranks.dev(r), fill(t, static_cast<int>(o), r, salt, 0, big)));
    smalls.push_back(mem.put(ranks.dev(r), fill(t, static_cast<int>(o), r, salt, 0, small)));
  }
  for (int r = 0; r < n; ++r) {
    ASSERT_OK(ranks.comm(r).all_reduce(bufs[r], bufs[r], big, ct(t), rop(o), ranks.stream(r)));
    ASSERT_OK(ranks.comm(r).all_reduce(smalls[r], smalls[r], small, ct(t), rop(o), ranks.stream(r)));
  }
  ranks.sync_all();
  const auto got = Buffers::get(bufs[0], big * 8);
  EXPECT_EQ(check_fold(got.data(), t, o, n, salt, 0, big), "");
  const auto head = Buffers::get(smalls[0], small * 8);
  EXPECT_EQ(std::memcmp(head.data(), got.data(), small * 8), 0);
  for (int r = 1; r < n; ++r) EXPECT_EQ(Buffers::get(bufs[r], big * 8), got) << "rank " << r;
}

INSTANTIATE_TEST_SUITE_P(Ranks, LocalCollectives, testing::Values(2, 3, 4),
                         [](const testing::TestParamInfo<int>& i) { return std::to_string(i.param) + "ranks"; });

// ---- failures ----

// Ranks that disagree queue without error, then every rank's task fails (kTaskFailed at the
// stream's synchronize, within the bound, with a message), first_failure() reports it, and
// the communicator still works.
TEST(LocalCommunicator, RanksThatDisagreeFailEveryRankWithoutHanging) {
  Ranks ranks(3);
  Buffers mem;
  std::vector<void*> a, b;
  for (int r = 0; r < 3; ++r) {
    a.push_back(mem.alloc(ranks.dev(r), 4096));
    b.push_back(mem.alloc(ranks.dev(r), 4096));
  }
  for (int variant = 0; variant < 4; ++variant) {
    for (int r = 0; r < 3; ++r) {
      Communicator& c = ranks.comm(r);
      Stream& s = ranks.stream(r);
      switch (variant) {
        case 0: ASSERT_OK(c.all_reduce(a[r], b[r], r == 2 ? 11 : 10, CommType::kF32, ReduceOp::kSum, s)); break;
        case 1: ASSERT_OK(c.all_reduce(a[r], b[r], 10, r == 1 ? CommType::kI32 : CommType::kF32, ReduceOp::kSum, s)); break;
        case 2: ASSERT_OK(c.broadcast(a[r], 10, CommType::kU8, r == 0 ? 0 : 1, s)); break;
        default:
          if (r == 0) {
            ASSERT_OK(c.barrier(s));
          } else {
            ASSERT_OK(c.all_reduce(a[r], b[r], 0, CommType::kF32, ReduceOp::kMax, s));
          }
      }
    }
    for (int r = 0; r < 3; ++r) {
      const Status st = ranks.stream(r).synchronize(kNoHang);
      ASSERT_NE(st, Status::kTimeout) << "variant " << variant << ": rank " << r << " hangs";
      EXPECT_EQ(st, Status::kTaskFailed) << "variant " << variant << ": rank " << r;
      std::string message;
      EXPECT_NE(ranks.comm(r).first_failure(&message), Status::kSuccess);
      EXPECT_FALSE(message.empty());
    }
  }
  // Still usable.
  const std::uint64_t salt = mix(0x700);
  std::vector<void*> x;
  for (int r = 0; r < 3; ++r) {
    x.push_back(mem.put(ranks.dev(r), fill(T::kI32, 0, r, salt, 0, 500)));
    ASSERT_OK(ranks.comm(r).all_reduce(x[r], x[r], 500, CommType::kI32, ReduceOp::kSum, ranks.stream(r)));
  }
  ranks.sync_all();
  EXPECT_EQ(check_fold(Buffers::get(x[0], 2000).data(), T::kI32, O::kSum, 3, salt, 0, 500), "");
}

TEST(LocalCommunicator, ARecvOfAnotherSizeFailsTheReceiverOnly) {
  Ranks ranks(2);
  Buffers mem;
  void* a = mem.alloc(ranks.dev(0), 1024);
  void* b = mem.alloc(ranks.dev(1), 1024);
  ASSERT_OK(ranks.comm(0).send(a, 100, CommType::kI8, 1, ranks.stream(0)));
  ASSERT_OK(ranks.comm(1).recv(b, 101, CommType::kI8, 0, ranks.stream(1)));
  const Status sender = ranks.stream(0).synchronize(kNoHang);
  const Status receiver = ranks.stream(1).synchronize(kNoHang);
  ASSERT_NE(sender, Status::kTimeout) << "the sender hangs";
  ASSERT_NE(receiver, Status::kTimeout) << "the receiver hangs";
  EXPECT_EQ(sender, Status::kSuccess);
  EXPECT_EQ(receiver, Status::kTaskFailed);
  std::string message;
  EXPECT_EQ(ranks.comm(1).first_failure(&message), Status::kInvalidArgument);
  EXPECT_NE(message.find("expected 101 bytes from rank 0, which sent 100"), std::string::npos) << message;
}

// Errors one rank can see alone are returned at the call; nothing is queued.
TEST(LocalCommunicator, ArgumentErrorsAreReturnedAtTheCall) {
  Ranks ranks(2);
  Buffers mem;
  void* a = mem.alloc(ranks.dev(0), 4096);
  void* b = mem.alloc(ranks.dev(0), 4096);
  Communicator& c = ranks.comm(0);
  Stream& s = ranks.stream(0);
  const auto bad_type = static_cast<CommType>(200);
  const auto bad_op = static_cast<ReduceOp>(9);
  EXPECT_EQ(c.all_reduce(nullptr, b, 10, CommType::kF32, ReduceOp::kSum, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_reduce(a, nullptr, 10, CommType::kF32, ReduceOp::kSum, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_reduce(a, b, 10, bad_type, ReduceOp::kSum, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_reduce(a, b, 10, CommType::kF32, bad_op, s), Status::kInvalidArgument);
  EXPECT_EQ(c.reduce(a, b, 10, CommType::kF32, bad_op, 0, s), Status::kInvalidArgument);
  EXPECT_EQ(c.reduce_scatter(a, b, 10, bad_type, ReduceOp::kSum, s), Status::kInvalidArgument);
  EXPECT_EQ(c.broadcast(nullptr, 10, CommType::kF32, 0, s), Status::kInvalidArgument);
  EXPECT_EQ(c.broadcast(a, 10, CommType::kF32, 2, s), Status::kInvalidArgument);
  EXPECT_EQ(c.reduce(a, b, 10, CommType::kF32, ReduceOp::kSum, 7, s), Status::kInvalidArgument);
  EXPECT_EQ(c.scatter(a, b, 10, CommType::kF32, 2, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_gather(a, nullptr, 10, CommType::kF32, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_to_all(a, b, 10, bad_type, s), Status::kInvalidArgument);
  EXPECT_EQ(c.send(a, 10, CommType::kF32, 0, s), Status::kInvalidArgument);  // to itself
  EXPECT_EQ(c.recv(b, 10, CommType::kF32, 0, s), Status::kInvalidArgument);  // from itself
  EXPECT_EQ(c.send(a, 10, CommType::kF32, 5, s), Status::kInvalidArgument);
  EXPECT_EQ(c.recv(b, 10, bad_type, 1, s), Status::kInvalidArgument);
  const std::vector<std::uint64_t> two = {1, 1}, one = {1};
  EXPECT_EQ(c.all_to_all_v(a, one, two, CommType::kF32, b, two, two, CommType::kF32, s), Status::kInvalidArgument);
  EXPECT_EQ(c.all_to_all_v(a, two, two, CommType::kF32, b, two, one, CommType::kF32, s), Status::kInvalidArgument);
  // A stream of another rank's device.
  EXPECT_EQ(c.all_reduce(a, b, 10, CommType::kF32, ReduceOp::kSum, ranks.stream(1)), Status::kInvalidArgument);
  // Nothing was queued, nothing failed.
  EXPECT_OK(s.synchronize(kNoHang));
  EXPECT_OK(c.first_failure());
  EXPECT_OK(c.drain());
}

// drain() waits for every collective queued so far: results are there once it returns.
TEST(LocalCommunicator, DrainWaitsForTheQueuedCollectives) {
  Ranks ranks(3);
  const int k = vnpu::test::scaled(12, 4);
  Buffers mem;
  std::vector<std::vector<void*>> bufs(3);
  for (int i = 0; i < k; ++i)
    for (int r = 0; r < 3; ++r) {
      bufs[r].push_back(mem.put(ranks.dev(r), fill(T::kBF16, 0, r, mix(0x800 + static_cast<std::uint64_t>(i)), 0, 4000)));
      ASSERT_OK(ranks.comm(r).all_reduce(bufs[r][static_cast<std::size_t>(i)], bufs[r][static_cast<std::size_t>(i)], 4000,
                                         CommType::kBF16, ReduceOp::kSum, ranks.stream(r)));
    }
  for (int r = 0; r < 3; ++r) EXPECT_OK(ranks.comm(r).drain());
  for (int i = 0; i < k; ++i)
    EXPECT_EQ(check_fold(Buffers::get(bufs[0][static_cast<std::size_t>(i)], 8000).data(), T::kBF16, O::kSum, 3,
                         mix(0x800 + static_cast<std::uint64_t>(i)), 0, 4000),
              "")
        << "all-reduce " << i << " after drain()";
  ranks.sync_all();
}

// Dropping every handle waits for the ranks' queued collectives (the last handle of a rank
// drains it) instead of abandoning them.
TEST(LocalCommunicator, DroppingTheCommunicatorsFinishesTheirWork) {
  Ranks ranks(2);
  Buffers mem;
  const std::uint64_t salt = mix(0x900);
  std::vector<void*> x;
  for (int r = 0; r < 2; ++r) {
    x.push_back(mem.put(ranks.dev(r), fill(T::kU64, 0, r, salt, 0, 100000)));
    ASSERT_OK(ranks.comm(r).all_reduce(x[r], x[r], 100000, CommType::kU64, ReduceOp::kSum, ranks.stream(r)));
  }
  ranks.comms.clear();
  ranks.sync_all();
  EXPECT_EQ(check_fold(Buffers::get(x[0], 800000).data(), T::kU64, O::kSum, 2, salt, 0, 100000), "");
}

// Eight threads: each drives one rank of one of two communicators over the same four
// devices, queueing and checking its own results, on a stream of its own.
TEST(LocalCommunicator, ManyThreadsDriveDifferentRanks) {
  constexpr int kRanks = 4;
  std::vector<Device> devices;
  for (int r = 0; r < kRanks; ++r) devices.push_back(vnpu::test::make_device(1, 1).value());
  std::vector<std::vector<Communicator>> groups = {Communicator::local(devices).value(),
                                                   Communicator::local(devices).value()};
  const int iterations = vnpu::test::scaled(24, 6);
  std::vector<std::string> errors(2 * kRanks);
  std::vector<std::thread> threads;
  for (int g = 0; g < 2; ++g)
    for (int r = 0; r < kRanks; ++r)
      threads.emplace_back([&, g, r] {
        std::string& err = errors[static_cast<std::size_t>(g * kRanks + r)];
        Communicator comm = groups[static_cast<std::size_t>(g)][static_cast<std::size_t>(r)];
        const Device& dev = devices[static_cast<std::size_t>(r)];
        Stream s = dev.create_stream().value();
        Buffers mem;
        // A wrong result is recorded and the loop goes on (the other ranks wait for this
        // one's collectives); a failed submit or synchronize ends it.
        for (int i = 0; i < iterations; ++i) {
          const T t = static_cast<T>((i + g) % kTypes);
          const O o = static_cast<O>(i % kOps);
          const std::uint64_t count = 1 + static_cast<std::uint64_t>(i * 37 % 600);
          const std::uint64_t salt = mix(static_cast<std::uint64_t>(g * 1000 + i));
          void* buf = mem.put(dev, fill(t, static_cast<int>(o), r, salt, 0, count));
          if (comm.all_reduce(buf, buf, count, ct(t), rop(o), s) != Status::kSuccess ||
              (i % 5 == 0 && comm.barrier(s) != Status::kSuccess)) {
            err = std::string("submit failed: ") + vnpu::last_error_message();
            break;
          }
          const Status st = s.synchronize(kNoHang);
          if (st != Status::kSuccess) {
            err = std::string("synchronize: ") + vnpu::status_name(st) + " " + vnpu::last_error_message();
            break;
          }
          const std::string wrong = check_fold(Buffers::get(buf, count * size_of(t)).data(), t, o, kRanks, salt, 0, count);
          if (!wrong.empty() && err.empty()) err = std::string(name_of(t)) + " " + name_of(o) + ": " + wrong;
        }
      });
  for (auto& th : threads) th.join();
  for (std::size_t k = 0; k < errors.size(); ++k)
    EXPECT_EQ(errors[k], "") << "communicator " << k / kRanks << ", rank " << k % kRanks;
}

}  // namespace
