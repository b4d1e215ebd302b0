// The config loader (SPEC §1) on any text: hale.toml is written by people, and a reload reads
// whatever is on disk. Whatever the bytes, load_config_string answers a Config or errors, never
// both and never neither, each error at a line and column of the file.
#include "fuzz_support.h"
#include "hale/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (hale::fuzz::quiet_logging(), true);
  (void)quiet;
  const hale::LoadResult r = hale::load_config_string(hale::fuzz::as_text(data, size), "fuzz.toml");
  if (r.config.has_value() == !r.errors.empty()) hale::fuzz::fail();
  for (const hale::ConfigError& e : r.errors) {
    if (e.line < 1 || e.column < 1 || e.message.empty()) hale::fuzz::fail();
  }
  return 0;
}
