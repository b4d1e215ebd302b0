// make_jwt: compact JWS tokens for the expiry check's tests, built from the JSON of their
// claims. Unsigned in all but form: the signature is a fixed placeholder, since hale reads
// the `exp` claim without verifying anything.
#pragma once

#include <string>
#include <string_view>

namespace hale::testing {

// RFC 4648 §5 base64url, without padding (as JWTs are written).
inline std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (bytes.size() - i == 1) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    for (int shift : {18, 12}) out.push_back(kAlphabet[(n >> shift) & 63]);
  } else if (bytes.size() - i == 2) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  return out;
}

// "header.payload.signature" with `claims` (JSON text) as the payload.
inline std::string make_jwt(std::string_view claims, std::string_view header = R"({"alg":"HS256","typ":"JWT"})") {
  return base64url(header) + "." + base64url(claims) + "." + base64url("not-a-real-signature");
}

}  // namespace hale::testing
