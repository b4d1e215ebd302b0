// A digest (SPEC §7 group_wait): the alerts of one window for one notifier, as one Alert. Pure.
#pragma once

#include <vector>

#include "hale/clock.h"
#include "hale/model/alert.h"

namespace hale {

// SPEC §7 digest: `members` (two or more, in the order they were made) as one alert. It is
// firing while any member is (its status the worst of theirs, critical when a critical member
// fails) and a resolution when every member is one; since: the earliest; message: the members'
// headlines, one per line. Kind kHale, subject "digest", key "digest".
Alert make_digest(std::vector<Alert> members, WallTime at);

}  // namespace hale
