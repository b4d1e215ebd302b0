// JSON logging through spdlog, with a sink that masks secrets in every formatted line.
#include "hale/log/json_log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>

#include "hale/clock.h"
#include "hale/log/redactor.h"

namespace hale {

namespace {

// Writes formatted lines to a stream after the Redactor has masked them. spdlog's own stderr
// sink cannot be used: redaction must see the final text of the line.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::ostream& out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    out_ << Redactor::global().redact(std::string(buf.data(), buf.size()));
    out_.flush();
  }
  void flush_() override { out_.flush(); }

 private:
  std::ostream& out_;
};

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view name_of(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l;
  return l;
}

}  // namespace

void init_logging(LogLevel level, std::ostream* out) {
  auto sink = std::make_shared<RedactingSink>(out ? *out : std::cerr);
  sink->set_pattern("%v");  // the message is already a whole JSON object
  auto l = std::make_shared<spdlog::logger>("hale", sink);
  l->set_level(to_spdlog(level));
  l->flush_on(spdlog::level::debug);
  logger() = l;
}

bool parse_log_level(std::string_view s, LogLevel& out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (s == name_of(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void log_event(LogLevel level, std::string_view event, nlohmann::json fields) {
  auto& l = logger();
  if (!l) init_logging();
  if (!l->should_log(to_spdlog(level))) return;
  nlohmann::ordered_json line;
  line["ts"] = format_iso8601_ms(system_clock().wall_now());
  line["level"] = name_of(level);
  line["event"] = event;
  for (auto& [k, v] : fields.items()) line[k] = v;
  // Replace invalid UTF-8 instead of throwing: a plugin's output line may be any bytes.
  l->log(to_spdlog(level), "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace hale
