// Where something starts in the config file, for errors found after loading.
#pragma once

namespace hale {

struct SourcePos {
  int line = 0;
  int column = 0;
};

}  // namespace hale
