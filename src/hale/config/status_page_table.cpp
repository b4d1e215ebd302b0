// [status_page]: title, description, match, groups, public_listen. A page that names nothing to
// show is an error (nothing is public by default: a forgotten `match` must not publish every
// check). [[announcements]]: message, level, from, until.
#include "hale/config/status_page_table.h"

#include <array>
#include <string_view>

#include "hale/config/toml_reader.h"
#include "hale/net/host_port.h"
#include "hale/time/timestamp.h"

namespace hale::config {

namespace {

constexpr std::array<std::string_view, 5> kStatusPageKeys{"title", "description", "match", "groups", "public_listen"};
constexpr std::array<std::string_view, 4> kAnnouncementKeys{"message", "level", "from", "until"};

std::vector<std::string> read_names(const toml::node& v, std::string_view key, Diagnostics& d) {
  std::vector<std::string> out;
  const auto* list = v.as_array();
  if (list == nullptr) {
    d.add(v, "`" + std::string(key) + "` must be an array of strings");
    return out;
  }
  for (const toml::node& e : *list) {
    const auto* text = e.as_string();
    if (text == nullptr || text->get().empty()) {
      d.add(e, "`" + std::string(key) + "`: each entry is a non-empty string");
      continue;
    }
    out.push_back(text->get());
  }
  return out;
}

std::optional<WallTime> read_time(const toml::node& v, std::string_view key, Diagnostics& d) {
  auto text = read_string(v, key, d);
  if (!text) return std::nullopt;
  auto t = parse_iso8601_instant(*text);
  if (!t) d.add(v, "`" + std::string(key) + "` \"" + *text + "\" is not an RFC 3339 time (2026-12-24T02:00:00Z)");
  return t;
}

}  // namespace

StatusPageConfig read_status_page(const toml::table& table, Diagnostics& d) {
  StatusPageConfig p;
  bool named = false;
  for (auto&& [k, v] : table) {
    const std::string_view key = k.str();
    if (key == "title") {
      if (auto t = read_nonempty_string(v, key, d)) p.title = *t;
    } else if (key == "description") {
      if (auto t = read_string(v, key, d)) p.description = *t;
    } else if (key == "match") {
      p.match = read_names(v, key, d);
      named = true;
    } else if (key == "groups") {
      p.groups = read_names(v, key, d);
      named = true;
    } else if (key == "public_listen") {
      auto text = read_nonempty_string(v, key, d);
      if (!text) continue;
      if (auto read = read_host_port(*text, /*allow_port_zero=*/true); !read) {
        d.add(v, "`public_listen` \"" + *text + "\": " + read.status().message());
        continue;
      }
      p.public_listen = *text;
    } else {
      report_unknown_key(k, "in [status_page]", kStatusPageKeys, d);
    }
  }
  if (!named) {
    d.add(table, "[status_page] shows nothing: name what is public with `match = [\"api\", \"web*\"]` or "
                 "`groups = [\"public\"]` (nothing is public by default)");
  }
  return p;
}

std::vector<AnnouncementSpec> read_announcements(const toml::node& node, Diagnostics& d) {
  std::vector<AnnouncementSpec> out;
  const auto* list = node.as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    d.add(node, "`announcements` must be an array of tables: [[announcements]]");
    return out;
  }
  for (const toml::node& e : *list) {
    const auto* t = e.as_table();
    AnnouncementSpec a;
    bool has_message = false;
    for (auto&& [k, v] : *t) {
      const std::string_view key = k.str();
      if (key == "message") {
        if (auto m = read_nonempty_string(v, key, d)) {
          a.message = *m;
          has_message = true;
        }
      } else if (key == "level") {
        auto level = read_string(v, key, d);
        if (level && *level != "info" && *level != "maintenance" && *level != "incident") {
          d.add(v, "`level` \"" + *level + "\" is none of info, maintenance, incident");
        } else if (level) {
          a.level = *level;
        }
      } else if (key == "from") {
        a.from = read_time(v, key, d);
      } else if (key == "until") {
        a.until = read_time(v, key, d);
      } else {
        report_unknown_key(k, "in [[announcements]]", kAnnouncementKeys, d);
      }
    }
    if (!has_message) d.add(e, "[[announcements]] needs a `message`");
    if (a.from && a.until && *a.until <= *a.from) d.add(e, "[[announcements]]: `until` must be after `from`");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace hale::config
