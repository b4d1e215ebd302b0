// The whole content of a file as bytes ("" when it cannot be read): for tests that read what a
// process wrote (logs, captured output, certificates).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hale::testing {

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace hale::testing
