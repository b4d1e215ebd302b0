// Decoding a JWT's claims to find its `exp` (see jwt.h).
#include "hale/probe/jwt.h"

#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace hale {

namespace {

// 0-63 for the base64url alphabet, -1 for everything else.
constexpr std::array<std::int8_t, 256> kSextets = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<std::int8_t>(i);
    t['a' + i] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(52 + i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}();

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// A base64url part decoded and parsed as a JSON object; nullopt when it is not one.
std::optional<nlohmann::json> json_object_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  // No exceptions, and never the parser's message: it quotes the text it choked on.
  nlohmann::json doc = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  // Padding is optional, but at most two '=' and only at the end.
  std::size_t pad = 0;
  while (pad < 2 && !text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++pad;
  }
  // One character of a 4-character group carries only 6 bits: no byte ends there.
  if (text.size() % 4 == 1) return std::nullopt;
  if (pad > 0 && (text.size() + pad) % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::int8_t v = kSextets[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

StatusOr<ExpiryTime> jwt_expiry(std::string_view token) {
  const std::vector<std::string_view> parts = split_dots(trim(token));
  if (parts.size() == 5) return Status::error("an encrypted JWT (JWE) has no readable `exp`");
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return Status::error("not a JWT (want header.payload.signature)");
  }
  if (!json_object_part(parts[0])) return Status::error("not a JWT: the header is not base64url JSON");
  if (!base64url_decode(parts[1])) return Status::error("not a JWT: the payload is not base64url");
  const auto claims = json_object_part(parts[1]);
  if (!claims) return Status::error("JWT payload is not a JSON object");
  const auto exp = claims->find("exp");
  if (exp == claims->end()) return Status::error("JWT has no `exp` claim");
  if (!exp->is_number()) return Status::error("JWT `exp` claim is not a number");
  auto at = from_epoch_number(exp->get<double>());
  if (!at) return Status::error("JWT `exp` claim is out of range");
  return *at;
}

}  // namespace hale
