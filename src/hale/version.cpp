// The version string, from the build's compile definitions.
#include "hale/version.h"

namespace hale {
const std::string& version() {
  static const std::string v = std::string(HALE_VERSION) + "+" + HALE_GIT_SHA;
  return v;
}
}  // namespace hale
