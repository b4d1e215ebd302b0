// Reading an expiry check's document from a file or an environment variable, at every probe
// (see config.h ExpirySource). Small and bounded: a credential file is a few kilobytes, so it
// is read on the event loop, at most kMaxExpiryDocument bytes. Errors name the file or the
// variable, never a byte of what was read.
#pragma once

#include <cstddef>
#include <string>

#include "hale/config.h"
#include "hale/status.h"

namespace hale {

// The most an expiry check reads, from a file or an HTTP response: far more than any token.
inline constexpr std::size_t kMaxExpiryDocument = 1024 * 1024;

// "file:/home/app/.credentials.json", "env:API_TOKEN": what an expiry check reads, as /health,
// the logs and its errors show it (a `url` is shown by the engine, redacted).
std::string expiry_source_name(const ExpiryCheck& spec);

// The whole file at `path`. Errors: "cannot read file:/x: No such file or directory",
// "cannot read file:/x: not a regular file" (a FIFO would block the loop), "file:/x is larger
// than 1 MiB; a credential file is small".
StatusOr<std::string> read_expiry_file(const std::string& path);

// The value of hale's environment variable `name`: "environment variable NAME is not set" when
// unset. hale's environment is fixed at its start, so a new value needs a restart of hale.
StatusOr<std::string> read_expiry_env(const std::string& name);

}  // namespace hale
