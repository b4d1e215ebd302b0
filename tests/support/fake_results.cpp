// (header-only helpers; this file keeps the support library non-empty)
#include "support/fake_results.h"
