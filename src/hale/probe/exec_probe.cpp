// ExecProbe: runs an exec check's command (argv, never a shell, see CommandRun) and judges it
// by Nagios plugin rules.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <utility>

#include "hale/proc/command_run.h"
#include "hale/proc/nagios_output.h"
#include "hale/probe/probe.h"

namespace hale {

namespace {

namespace asio = boost::asio;

class ExecProbe final : public Probe {
 public:
  ExecProbe(const ExecCheck& spec, ProbeContext& ctx) : io_(ctx.io), command_(spec.command) {}
  ~ExecProbe() override { cancel(); }

  void start(Duration timeout, Done done) override {
    cancel();  // a new attempt replaces one still in flight
    // Shared by the run's completion and the spawn-error path; cancel() clears it.
    auto token = std::make_shared<Done>(std::move(done));
    token_ = token;
    auto run = CommandRun::start(io_, command_, {}, timeout, [token](CommandResult r) {
      if (!*token) return;
      Done d = std::exchange(*token, nullptr);
      d(r.timed_out ? probe_failure("timeout", ErrorKind::kTimeout) : nagios_result(r.wait_status, r.output));
    });
    if (!run) {
      // Reported from the loop, never inside start().
      asio::post(io_, [token, message = run.status().message()] {
        if (!*token) return;
        Done d = std::exchange(*token, nullptr);
        d(probe_failure(message, ErrorKind::kSpawn));
      });
      return;
    }
    run_ = std::move(run).value();
  }

  void cancel() override {
    run_.cancel();
    if (auto token = token_.lock()) *token = nullptr;
    token_.reset();
  }

 private:
  asio::io_context& io_;
  std::vector<std::string> command_;
  CommandRun run_;
  std::weak_ptr<Done> token_;
};

}  // namespace

std::unique_ptr<Probe> make_probe(const ExecCheck& spec, ProbeContext& ctx) {
  return std::make_unique<ExecProbe>(spec, ctx);
}

}  // namespace hale
