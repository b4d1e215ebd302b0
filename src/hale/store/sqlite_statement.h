// The small SQLite helpers the StateStore's files share: a prepared statement that finalizes
// itself, and times stored as milliseconds since the epoch (NULL when unset). Private to store/.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hale/clock.h"

namespace hale::store {

// One prepared statement, finalized on every path.
struct Statement {
  sqlite3_stmt* s = nullptr;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(s); }
};

inline std::int64_t to_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime from_ms(std::int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

inline void bind_time(sqlite3_stmt* s, int i, const std::optional<WallTime>& t) {
  if (t) {
    sqlite3_bind_int64(s, i, to_ms(*t));
  } else {
    sqlite3_bind_null(s, i);
  }
}
inline std::optional<WallTime> column_time(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return from_ms(sqlite3_column_int64(s, i));
}
inline void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
inline std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

}  // namespace hale::store
