// Reading [notifiers.NAME] tables into NotifierSpecs (SPEC §6): `type` first (it decides which
// keys apply), then every key at its value, then what the type needs (a URL, an email's `from`
// and `to`, an exec's `command`) and the rules between keys. Every URL, `secret`, `token`,
// `password` and header value is registered as a secret, also when written inline: a Slack or
// Discord webhook URL is a credential by itself.
#pragma once

#include <vector>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// Every [notifiers.NAME] of `notifiers`, sorted by name; one with errors (already reported) is
// left out.
std::vector<NotifierSpec> read_notifiers(const toml::table& notifiers, LoadContext& ctx);

// Every name under [notifiers], also one whose table has errors, so that an [[alerts]] rule
// naming it does not add a second error for the same mistake.
NameSet declared_notifiers(const toml::table& notifiers);

}  // namespace hale::config
