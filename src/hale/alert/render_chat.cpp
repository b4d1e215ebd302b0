// Chat notifiers: a Slack incoming webhook (text and one legacy attachment with coloured fields)
// and a Discord webhook (content and one embed), each within its receiver's limits.
#include <fmt/format.h>

#include "hale/alert/render.h"
#include "hale/alert/render_text.h"

namespace hale {

namespace {

using ojson = nlohmann::ordered_json;
using namespace render;

// Slack reads &, < and > as markup ("<!channel>" notifies a whole channel): escaped everywhere,
// as Slack's message formatting asks, so that data can never mention or link.
std::string slack_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// Slack shows up to 40,000 characters of a message; an alert's message is kept far shorter.
constexpr std::size_t kSlackMessageMax = 3000;

// Discord's limits (Execute Webhook, Embed Limits), counted in UTF-16 units, never more than
// Discord's own count of characters.
constexpr std::size_t kDiscordContentMax = 2000;
constexpr std::size_t kDiscordTitleMax = 256;
constexpr std::size_t kDiscordDescriptionMax = 4096;
constexpr std::size_t kDiscordFieldNameMax = 256;
constexpr std::size_t kDiscordFieldValueMax = 1024;
constexpr std::size_t kDiscordFooterMax = 2048;
constexpr std::size_t kDiscordEmbedTotalMax = 6000;  // title, description, fields, footer together

struct Field {
  std::string name;
  std::string value;
  bool inline_ = true;
};

// The fields both chats show, in order; empty values are left out (Discord refuses them).
std::vector<Field> fields(const Alert& a, const RenderContext& ctx) {
  auto [when_label, when] = when_field(a);
  std::vector<Field> out{
      {"Subject", subject_label(a)},
      {"Status", status_summary(a)},
      {std::move(when_label), std::move(when)},
      {"Host", one_line(ctx.host)},
      {"Service", one_line(ctx.service)},
      {"Key", one_line(a.key)},
  };
  if (a.sequence > 0) out.push_back({"Reminder", std::to_string(a.sequence)});
  std::erase_if(out, [](const Field& f) { return f.value.empty(); });
  return out;
}

std::string footer(const RenderContext& ctx) { return "hale on " + one_line(ctx.host); }

}  // namespace

HttpDeliveryRequest render_slack(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  const Alert& a = d.alert;
  const std::string headline = slack_escape(alert_headline(a));
  ojson attachment;
  attachment["fallback"] = headline;
  attachment["color"] = fmt::format("#{:06X}", colour(a));
  ojson fs = ojson::array();
  for (const Field& f : fields(a, ctx)) {
    fs.push_back(ojson{{"title", f.name}, {"value", slack_escape(f.value)}, {"short", true}});
  }
  const std::string message = cut_code_points(multi_line(a.message), kSlackMessageMax);
  if (!message.empty()) fs.push_back(ojson{{"title", "Message"}, {"value", slack_escape(message)}, {"short", false}});
  attachment["fields"] = std::move(fs);
  attachment["footer"] = slack_escape(footer(ctx));
  attachment["ts"] = epoch_seconds(a.at);

  ojson body;
  body["text"] = headline;
  body["attachments"] = ojson::array({std::move(attachment)});

  HttpDeliveryRequest r;
  r.url = n.urls.empty() ? std::string() : n.urls.front();
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = dump(body);
  return r;
}

HttpDeliveryRequest render_discord(const NotifierSpec& n, const Delivery& d, const RenderContext& ctx) {
  const Alert& a = d.alert;
  const std::string title = cut_utf16(subject_label(a), kDiscordTitleMax);
  const std::string foot = cut_utf16(footer(ctx), kDiscordFooterMax);
  std::size_t used = utf16_units(title) + utf16_units(foot);
  ojson fs = ojson::array();
  for (const Field& f : fields(a, ctx)) {
    const std::string name = cut_utf16(f.name, kDiscordFieldNameMax);
    const std::string value = cut_utf16(f.value, kDiscordFieldValueMax);
    used += utf16_units(name) + utf16_units(value);
    fs.push_back(ojson{{"name", name}, {"value", value}, {"inline", f.inline_}});
  }
  // The description takes what the embed's total leaves (the other parts are short).
  const std::size_t room = used < kDiscordEmbedTotalMax ? kDiscordEmbedTotalMax - used : 0;
  const std::string description = cut_utf16(multi_line(a.message), std::min(kDiscordDescriptionMax, room));

  ojson embed;
  embed["title"] = title;
  if (!description.empty()) embed["description"] = description;
  embed["color"] = colour(a);
  embed["timestamp"] = iso(a.at);
  embed["fields"] = std::move(fs);
  embed["footer"] = ojson{{"text", foot}};

  ojson body;
  body["content"] = cut_utf16(alert_headline(a), kDiscordContentMax);
  // No @everyone, @here, user or role mention from the data may notify anyone.
  body["allowed_mentions"] = ojson{{"parse", ojson::array()}};
  body["embeds"] = ojson::array({std::move(embed)});

  HttpDeliveryRequest r;
  r.url = n.urls.empty() ? std::string() : n.urls.front();
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = dump(body);
  return r;
}

}  // namespace hale
