// Nagios plugin output (SPEC §1 exec checks): the first line of whatever a plugin prints, without
// its perfdata, is the reason shown in /health. The first byte is the plugin's exit code (its
// waitpid() status as exit code, or a signal when it is over 200); the rest is its output.
// The reason stays one line of at most kMaxNagiosReason bytes, with no perfdata.
#include "fuzz_support.h"
#include "hale/proc/nagios_output.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int status = data[0] > 200 ? (data[0] - 200) : (data[0] << 8);  // killed by signal N | exit N
  const std::string_view output = hale::fuzz::as_text(data + 1, size - 1);
  const std::string summary = hale::nagios_summary(output);
  if (summary.size() > hale::kMaxNagiosReason || summary.find('\n') != std::string::npos ||
      summary.find('|') != std::string::npos) {
    hale::fuzz::fail();
  }
  const hale::ProbeResult r = hale::nagios_result(status, output);
  if (r.reason.empty()) hale::fuzz::fail();
  return 0;
}
