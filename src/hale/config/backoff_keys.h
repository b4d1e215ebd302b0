// The one TOML reader of a backoff table (backoff.h): a check's `backoff`, a service's `backoff`
// and a notifier's `retry`. The keys base, max, multiplier and jitter mean the same everywhere;
// each use says what it allows and adds its own keys (max_retries, give_up_after).
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include <toml++/toml.h>

#include "hale/backoff.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

// How a use writes `jitter`.
enum class JitterForm {
  kDuration,  // "250ms" (a check: added to each retry)
  kShare,     // "20%" of each delay (a notifier: a fixed jitter would swamp a 1s base and vanish in a 5m max)
  kEither,    // either (a service)
};

struct BackoffRules {
  bool zero_base_allowed = false;  // a service: 0s restarts at once (the budget still bounds a crash loop)
  bool multiplier = false;         // whether `multiplier` is a key of this use
  JitterForm jitter = JitterForm::kDuration;
  // The keys of this use beyond base, max, multiplier and jitter, for "did you mean".
  std::span<const std::string_view> extra_keys;
};

// A key of the use's own: true when it is one (read and reported by the callback).
using ExtraBackoffKey = std::function<bool(std::string_view key, const toml::node& value, const std::string& name)>;

// Reads `table` (the value of `key`) into `out`, which holds the use's defaults. False, with the
// errors reported at their line and column, when any key is wrong or max is below base.
bool read_backoff(const toml::table& table, std::string_view key, const BackoffRules& rules, Backoff& out,
                  Diagnostics& d, const ExtraBackoffKey& extra = {});

}  // namespace hale::config
