// The keys of a [notifiers.NAME] table and how each is read into a NotifierSpec. Which key
// applies to which type is decided by the table walk (notifier_table.cpp); a reader here only
// checks its own value. No message names a secret's value: only the key, and for an env:/file:
// value the variable or the file it came from.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "hale/config.h"
#include "hale/config/load_context.h"

namespace hale::config {

// One key being read: its value, its name, and where it goes.
struct NotifierCall {
  const toml::node& value;
  std::string_view key;
  NotifierSpec& spec;
  bool type_known;  // false: `type` was missing or unknown, so spec.type is not to be trusted
  LoadContext& ctx;
  Diagnostics& diagnostics() const { return ctx.diagnostics(); }
};
using ApplyNotifierKey = void (*)(const NotifierCall&);

// "`url`" for a value written inline, "the value of `url` (env:NAME)" for one resolved from a
// variable or a file: the subject of a message about the value that never shows the value.
std::string value_of(std::string_view key, std::string_view written);

// A CR, LF or NUL: what would smuggle a second header (or SMTP command) in after a value.
bool has_line_break_or_nul(std::string_view s);
// A space or any control character (what no URL or address holds).
bool has_space_or_control(std::string_view s);

void apply_notifier_url(const NotifierCall& c);   // url: one URL, scheme by type
void apply_notifier_urls(const NotifierCall& c);  // urls: alertmanager's list
void apply_notifier_secret(const NotifierCall& c);
void apply_notifier_token(const NotifierCall& c);
void apply_notifier_headers(const NotifierCall& c);
void apply_notifier_password(const NotifierCall& c);
// email (notifier_email_keys.cpp)
void apply_notifier_username(const NotifierCall& c);
void apply_notifier_from(const NotifierCall& c);
void apply_notifier_to(const NotifierCall& c);
void apply_notifier_tls(const NotifierCall& c);
void apply_notifier_command(const NotifierCall& c);
void apply_notifier_ca_file(const NotifierCall& c);
void apply_notifier_insecure_skip_verify(const NotifierCall& c);
void apply_notifier_timeout(const NotifierCall& c);
void apply_notifier_retry(const NotifierCall& c);
void apply_notifier_drills(const NotifierCall& c);
void apply_notifier_description(const NotifierCall& c);

}  // namespace hale::config
