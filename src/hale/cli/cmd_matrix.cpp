// `hale matrix -c FILE [--format text|markdown|json]`: the degraded-mode matrix of a config
// (SPEC §7), read from the file alone.
#include <cstdio>
#include <string>

#include "hale/cli/commands.h"
#include "hale/config.h"
#include "hale/matrix/degraded_matrix.h"
#include "hale/matrix/self_probe.h"

namespace hale::cli {

int cmd_matrix(const std::string& config_path, const std::string& format) {
  if (format != "text" && format != "markdown" && format != "json") {
    std::fprintf(stderr, "hale matrix: unknown format \"%s\" (text, markdown, json)\n", format.c_str());
    return 2;
  }
  LoadResult r = load_config_file(config_path);
  if (!r.config) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 2;
  }
  for (const std::string& w : self_probe_latches(*r.config)) std::fprintf(stderr, "hale matrix: warning: %s\n", w.c_str());
  const std::vector<MatrixRow> rows = degraded_matrix(*r.config);
  const std::string out = format == "json" ? matrix_json(rows) : format == "markdown" ? matrix_markdown(rows) : matrix_text(rows);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace hale::cli
