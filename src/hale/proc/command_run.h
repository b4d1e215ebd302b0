// CommandRun: one run of a command (argv, never a shell) on the event loop, for exec checks and
// the exec notifier: stdin from a string, stdout+stderr captured (the first kMaxCommandOutput
// bytes; the rest is read and dropped so the child never blocks), a timeout after which the
// whole process group is killed, and the exit reported once the child is reaped and its output
// has ended. Whatever happens (a cancel, the loop's end), the child is killed and reaped.
// Thread-safety: the loop's thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/status.h"

namespace boost::asio {
class io_context;
}

namespace hale {

inline constexpr std::size_t kMaxCommandOutput = 64 * 1024;

struct CommandResult {
  int wait_status = 0;     // as waitpid() gives it
  bool timed_out = false;  // killed at the timeout
  std::string output;      // stdout and stderr, in order, at most kMaxCommandOutput bytes
};

class CommandRun {
 public:
  using Done = std::function<void(CommandResult)>;

  // Spawns `argv` (see spawn_in_group) with `input` on its stdin. An error means nothing was
  // started ("cannot run ./x: No such file or directory"); otherwise `done` is called once,
  // on the loop, unless cancel() comes first.
  static StatusOr<CommandRun> start(boost::asio::io_context& io, const std::vector<std::string>& argv,
                                    std::string_view input, Duration timeout, Done done);

  CommandRun() = default;
  // Drops the result and kills the group; the child is still reaped on the loop.
  void cancel();
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  struct Handle;
  std::shared_ptr<Handle> handle_;
};

}  // namespace hale
