// read_regular_file: the whole content of a config file or a `file:` secret, refusing what is not
// a regular file (a FIFO would block the reader for ever, /dev/zero never ends, a directory has
// no content) and anything larger than a bound, each with an error that says so.
#pragma once

#include <cstddef>
#include <string>

#include "hale/status.h"

namespace hale::config {

// Errors read "not a regular file (a FIFO)", "is 17 MiB; the limit is 16 MiB", or the system's
// ("No such file or directory"), without the path: the caller says which file.
StatusOr<std::string> read_regular_file(const std::string& path, std::size_t max_bytes);

// Whether `path` opens for reading and is a regular file, without reading it (a CA bundle is
// read by OpenSSL or libcurl when it is used). Errors as read_regular_file's.
Status check_readable_regular_file(const std::string& path);

// "16 MiB", "64 KiB", "512 bytes".
std::string byte_size_text(std::size_t bytes);

}  // namespace hale::config
