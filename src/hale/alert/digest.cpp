#include "hale/alert/digest.h"

#include <algorithm>

#include "hale/alert/render.h"

namespace hale {

Alert make_digest(std::vector<Alert> members, WallTime at) {
  Alert d;
  d.key = "digest";
  d.kind = SubjectKind::kHale;
  d.subject = "digest";
  d.at = at;
  d.resolved = std::all_of(members.begin(), members.end(), [](const Alert& m) { return m.resolved; });
  auto rank = [](Health h) { return h == Health::kFail ? 3 : h == Health::kDegraded ? 2 : h == Health::kOk ? 1 : 0; };
  d.status = d.resolved ? Health::kOk : Health::kUnknown;
  d.previous = Health::kUnknown;
  d.critical = false;
  d.since = members.empty() ? at : members.front().since;
  for (const Alert& m : members) {
    d.since = std::min(d.since, m.since);
    if (d.resolved) {
      if (rank(m.previous) > rank(d.previous)) d.previous = m.previous;
      d.critical = d.critical || m.critical;
    } else if (!m.resolved) {
      if (rank(m.status) > rank(d.status)) d.status = m.status;
      d.critical = d.critical || (m.critical && m.status == Health::kFail);
    }
  }
  d.state = std::string(to_string(d.status));
  for (const Alert& m : members) d.message += (d.message.empty() ? "" : "\n") + alert_headline(m);
  d.repeat = members.empty() ? Duration{} : members.front().repeat;
  // SPEC §7: a digest of one drill's alerts is that drill's.
  const bool one_drill = !members.empty() && std::all_of(members.begin(), members.end(), [&](const Alert& m) {
    return m.drill == members.front().drill;
  });
  if (one_drill) d.drill = members.front().drill;
  d.members = std::move(members);
  return d;
}

}  // namespace hale
