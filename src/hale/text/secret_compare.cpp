// Constant-time secret comparison (see secret_compare.h).
#include "hale/text/secret_compare.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace hale {

bool secret_equals(std::string_view given, std::string_view expected) {
  if (expected.empty()) return false;
  // Compare digests, so that the comparison takes the same time whatever the lengths.
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

}  // namespace hale
