// JSON logging: every line hale logs is one JSON object (spdlog underneath), with `ts` and
// `level` first, and every known secret masked by the Redactor on the way out.
#pragma once

#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hale {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets up the process logger: JSON lines to stderr (or to `out`, for tests), minimum `level`.
void init_logging(LogLevel level = LogLevel::kInfo, std::ostream* out = nullptr);
// "debug" | "info" | "warn" | "error"; false for anything else.
bool parse_log_level(std::string_view s, LogLevel& out);

// Logs one event: {"ts":..., "level":..., "event": event, ...fields}.
void log_event(LogLevel level, std::string_view event, nlohmann::json fields = nlohmann::json::object());

}  // namespace hale
