// Aggregation of checks into one Health (SPEC §3).
#include "hale/aggregate.h"

#include <algorithm>

namespace hale {

bool counts_as_failing(const CheckView& c, Question q) {
  if (!c.critical) return false;
  if (c.status == Health::kFail) return true;
  // SPEC §3: a critical `unknown` counts as not ready until its first decisive result; but one
  // that a reload added does not (SPEC §2: a reload never flips an answer by itself).
  return c.status == Health::kUnknown && q == Question::kReady && !c.joining;
}

Health aggregate(const std::vector<const CheckView*>& checks, Question q) {
  bool degraded = false;
  for (const CheckView* c : checks) {
    if (counts_as_failing(*c, q)) return Health::kFail;
    if (c->status == Health::kDegraded || (!c->critical && c->status == Health::kFail)) {
      degraded = true;
    }
  }
  return degraded ? Health::kDegraded : Health::kOk;
}

std::vector<const CheckView*> select(const Snapshot& snap, std::string_view group,
                                     const std::vector<std::string>& excluded) {
  std::vector<const CheckView*> out;
  out.reserve(snap.checks.size());
  for (const auto& c : snap.checks) {
    if (!group.empty() && !c->in_group(group)) continue;
    if (std::find(excluded.begin(), excluded.end(), c->name) != excluded.end()) continue;
    out.push_back(c.get());
  }
  return out;
}

namespace {

// aggregate() one check at a time, for finalize().
struct Running {
  Question question;
  bool failing = false;
  bool degraded = false;
  void add(const CheckView& c) {
    if (counts_as_failing(c, question)) failing = true;
    if (c.status == Health::kDegraded || (!c.critical && c.status == Health::kFail)) degraded = true;
  }
  Health result() const { return failing ? Health::kFail : degraded ? Health::kDegraded : Health::kOk; }
};

}  // namespace

// One pass, no list built: the engine calls it for every snapshot it publishes (10,000 checks,
// up to ten times a second). The same answers as aggregate(select(...)).
void finalize(Snapshot& snap) {
  Running live{Question::kLive}, ready{Question::kReady}, overall{Question::kHealth};
  for (const auto& c : snap.checks) {
    overall.add(*c);
    for (const std::string& g : c->groups) {
      if (g == "live") live.add(*c);
      if (g == "ready") ready.add(*c);
    }
  }
  snap.live = live.result();
  snap.ready = ready.result();
  snap.overall = overall.result();
}

}  // namespace hale
