// hale's version: the release and the git commit it was built from ("0.1.0+1a2b3c4").
#pragma once

#include <string>

namespace hale {
const std::string& version();
}  // namespace hale
