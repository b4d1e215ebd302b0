// `hale version`: the release and commit.
#include <cstdio>

#include "hale/cli/commands.h"
#include "hale/version.h"

namespace hale::cli {

int cmd_version() {
  std::printf("hale %s\n", version().c_str());
  return 0;
}

}  // namespace hale::cli
