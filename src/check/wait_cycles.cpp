// Checked mode: stream waits that could never end on an NPU (see Checker::OpenWait).
//
// A wait submitted before its event has any record orders nothing here (vnpu's waits see
// the record submitted before them, and it is reported as an unordered wait), but on an NPU
// it blocks its stream until the event's next record. That record may itself sit behind
// such a wait: on the waiting stream (recorded after the wait), or on a stream that waits,
// the same way, for an event recorded only after the first wait — a cycle. When a record
// releases open waits, the checker follows the dependencies from each released wait: a
// wait depends on its record, a record on every open wait it is ordered after. A path
// back to the wait is a deadlock, reported with the whole cycle.
#include <string>
#include <vector>

#include "check/checker.hpp"

namespace vnpu::detail::check {

namespace {

// Whether a record with clock `c` comes after the open wait `w` (it cannot run before w ends).
bool after(const VClock& c, std::uint32_t actor, std::uint64_t time) { return c.at(actor) >= time; }

}  // namespace

void Checker::release_waits_locked(const void* event, const std::shared_ptr<const Site>& site, const VClock& c) {
  auto clock = std::make_shared<const VClock>(c);
  std::vector<std::size_t> released;
  for (std::size_t i = 0; i < open_waits_.size(); ++i) {
    OpenWait& w = open_waits_[i];
    if (w.event != event || w.released_by) continue;
    w.released_by = site;
    w.release_clock = clock;
    released.push_back(i);
  }
  // Depth-first from each released wait along wait -> its record -> the open waits that
  // record comes after; `path` holds the waits of the current branch.
  for (const std::size_t start : released) {
    std::vector<std::size_t> path{start};
    std::vector<std::size_t> next_edge{0};
    std::vector<bool> seen(open_waits_.size(), false);
    seen[start] = true;
    bool found = false;
    while (!path.empty() && !found) {
      const OpenWait& w = open_waits_[path.back()];
      std::size_t& k = next_edge.back();
      if (!w.release_clock || k >= open_waits_.size()) {
        path.pop_back();
        next_edge.pop_back();
        continue;
      }
      const std::size_t j = k++;
      const OpenWait& dep = open_waits_[j];
      if (!after(*w.release_clock, dep.actor, dep.time)) continue;
      if (j == start) {
        found = true;
        break;
      }
      if (seen[j]) continue;
      seen[j] = true;
      path.push_back(j);
      next_edge.push_back(0);
    }
    if (!found) continue;
    // "stream 2 (device 0) seq 3 waits for an event recorded only at stream 1 seq 5,
    // which comes after stream 1 seq 4's wait ..., which comes after stream 2 seq 3's wait".
    std::string cycle;
    for (std::size_t n = 0; n < path.size(); ++n) {
      const OpenWait& w = open_waits_[path[n]];
      const OpenWait& blocked = open_waits_[path[(n + 1) % path.size()]];
      if (n != 0) cycle += ", whose ";
      cycle += "wait at " + describe_actor_locked(w.actor, w.time) + " blocks until the event's record at " +
               describe_actor_locked(w.released_by->actor, w.released_by->time) + ", which is queued behind " +
               (path[(n + 1) % path.size()] == path[n] ? std::string("that wait itself")
                                                       : "the wait at " + describe_actor_locked(blocked.actor, blocked.time));
    }
    const OpenWait& w = open_waits_[start];
    Record wait;
    wait.site = w.site;
    wait.actor = w.actor;
    wait.time = w.time;
    report_locked(Kind::kDeadlock, 0, 0, 0, 0, wait, false, *w.released_by,
                  "on an NPU a wait on an event with no record blocks until the next record: the " + cycle +
                      ", so none of them ever runs. Record each event before the wait that needs it is submitted");
  }
}

}  // namespace vnpu::detail::check
