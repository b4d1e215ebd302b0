// The alert tables of the SQLite state store (SPEC §6), on real files: every field of a
// delivery round-trips, a batch is committed whole or not at all, a committed batch survives
// a reopen and the death of the process that wrote it (the daemon's kill -9 promise), pruning
// never drops what is still owed, and an unreadable row is skipped, never a failed read.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hale/log/json_log.h"
#include "hale/store/state_store.h"
#include "support/temp_dir.h"

namespace hale {
namespace {

using namespace std::chrono_literals;
using hale::testing::TempDir;

WallTime at_ms(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

// An alert with every field away from its default, so that a field the store drops shows.
Alert full_alert(int n) {
  Alert a;
  a.kind = SubjectKind::kHeartbeat;
  a.subject = "backup-" + std::to_string(n);
  a.key = "heartbeat/" + a.subject + "/ok";
  a.status = Health::kOk;
  a.previous = Health::kFail;
  a.state = "up";
  a.resolved = true;
  a.flapping = true;
  a.critical = false;
  a.since = at_ms(1'795'000'000'123 + n);
  a.at = at_ms(1'795'000'060'456 + n);
  a.message = "exit code 1: \"disk full\" \xc3\xa9\n" + std::to_string(n);
  a.sequence = 3 + n;
  a.repeat = std::chrono::duration_cast<Duration>(std::chrono::milliseconds(3'600'000 + n));
  a.silenced = true;
  return a;
}

Delivery pending(const std::string& id, int n = 0) {
  Delivery d;
  d.id = id;
  d.notifier = "ops";
  d.alert = full_alert(n);
  d.created_at = at_ms(1'795'000'060'500 + n);
  return d;
}

SavedRoute route(const std::string& subject, const std::string& notifier, int sequence) {
  SavedRoute r;
  r.subject = subject;
  r.notifier = notifier;
  r.open[Health::kFail] = OpenKey{Health::kOk, at_ms(10), at_ms(20), at_ms(30), sequence, true, "fail", "refused"};
  r.flapping = sequence % 2 == 1;
  r.last_change = at_ms(40 + sequence);
  return r;
}

Silence silence(const std::string& id, std::int64_t starts, std::int64_t ends) {
  return Silence{id, {{"subject", "db*"}, {"status", "fail"}}, at_ms(starts), at_ms(ends), "upgrade", "ana", at_ms(1)};
}

std::unique_ptr<StateStore> open_store(const TempDir& dir) {
  auto store = StateStore::open(dir.path().string());
  EXPECT_TRUE(store) << store.status().message();
  return store ? std::move(store).value() : nullptr;
}

std::vector<std::string> ids(const std::vector<Delivery>& ds) {
  std::vector<std::string> out;
  for (const Delivery& d : ds) out.push_back(d.id);
  return out;
}

TEST(AlertRecords, EveryFieldOfADeliveryRoundTripsAndSeqIncreases) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  Delivery unset = pending("00000000000000000000000000000001", 1);  // every optional time unset
  Delivery retried = pending("00000000000000000000000000000002", 2);
  retried.attempts = 4;
  retried.last_attempt_at = at_ms(1'795'000'061'001);
  retried.next_attempt_at = at_ms(1'795'000'069'002);
  retried.last_error = "HTTP 503 from discord.com";
  Delivery sent = pending("00000000000000000000000000000003", 3);
  sent.notifier = "pager";
  sent.state = DeliveryState::kSent;
  sent.attempts = 1;
  sent.last_attempt_at = at_ms(1'795'000'061'003);
  sent.done_at = at_ms(1'795'000'061'004);
  sent.alert.resolved = false;
  sent.alert.flapping = false;
  sent.alert.critical = true;
  sent.alert.silenced = false;
  sent.alert.kind = SubjectKind::kService;
  sent.alert.status = Health::kDegraded;
  sent.alert.previous = Health::kUnknown;
  std::vector<Delivery> batch{unset, retried, sent};
  ASSERT_TRUE(store->add_alerts(batch, {}));
  EXPECT_GT(batch[0].seq, 0);
  EXPECT_LT(batch[0].seq, batch[1].seq);
  EXPECT_LT(batch[1].seq, batch[2].seq);
  std::vector<Delivery> later{pending("00000000000000000000000000000004", 4)};
  ASSERT_TRUE(store->add_alerts(later, {}));
  EXPECT_GT(later[0].seq, batch[2].seq);

  auto all = store->recent_deliveries(10);
  ASSERT_TRUE(all) << all.status().message();
  ASSERT_EQ(all.value().size(), 4u);
  EXPECT_EQ(all.value()[0], later[0]);
  EXPECT_EQ(all.value()[1], batch[2]);
  EXPECT_EQ(all.value()[2], batch[1]);
  EXPECT_EQ(all.value()[3], batch[0]);
  EXPECT_FALSE(all.value()[3].last_attempt_at.has_value());
  EXPECT_FALSE(all.value()[3].next_attempt_at.has_value());
  EXPECT_FALSE(all.value()[3].done_at.has_value());
  EXPECT_EQ(all.value()[3].alert.message, full_alert(1).message);

  auto owed = store->pending_deliveries();
  ASSERT_TRUE(owed);
  EXPECT_EQ(owed.value(), (std::vector<Delivery>{batch[0], batch[1], later[0]}));
}

TEST(AlertRecords, InvalidUtf8InAMessageIsStoredAsReplacementCharacters) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  std::vector<Delivery> batch{pending("bytes")};
  batch[0].alert.message = "output: \xff\xfe ok";
  batch[0].last_error = "bad \xff byte";  // a TEXT column, kept as it is
  ASSERT_TRUE(store->add_alerts(batch, {}));
  auto owed = store->pending_deliveries();
  ASSERT_TRUE(owed);
  ASSERT_EQ(owed.value().size(), 1u);
  EXPECT_EQ(owed.value()[0].alert.message, "output: \xef\xbf\xbd\xef\xbf\xbd ok");
  EXPECT_EQ(owed.value()[0].last_error, "bad \xff byte");
}

TEST(AlertRecords, AFailedBatchLeavesNeitherItsDeliveriesNorItsRoutes) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  const SavedRoute first = route("check/db", "ops", 0);
  std::vector<Delivery> committed{pending("a")};
  ASSERT_TRUE(store->add_alerts(committed, {first}));

  // A new delivery, a replaced route and a new route, then a delivery whose id is taken.
  std::vector<Delivery> bad{pending("b"), pending("a")};
  Status s = store->add_alerts(bad, {route("check/db", "ops", 5), route("check/web", "ops", 1)});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("hale.db"), std::string::npos) << s.message();
  EXPECT_EQ(bad[0].seq, 0) << "a seq must not name a row that was rolled back";
  EXPECT_EQ(bad[1].seq, 0);
  EXPECT_EQ(ids(store->recent_deliveries(10).value()), std::vector<std::string>{"a"});
  EXPECT_EQ(store->saved_routes().value(), std::vector<SavedRoute>{first});

  // A duplicate inside one batch fails the same way.
  std::vector<Delivery> twice{pending("c"), pending("c")};
  ASSERT_FALSE(store->add_alerts(twice, {route("check/x", "ops", 1)}));
  EXPECT_EQ(ids(store->recent_deliveries(10).value()), std::vector<std::string>{"a"});
  EXPECT_EQ(store->saved_routes().value().size(), 1u);

  // The transaction was rolled back, not left open: the next batch commits, and survives a reopen.
  std::vector<Delivery> good{pending("b")};
  ASSERT_TRUE(store->add_alerts(good, {route("check/web", "ops", 1)}));
  store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(ids(store->pending_deliveries().value()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store->saved_routes().value().size(), 2u);
}

TEST(AlertRecords, UpdatedDeliveryIsPersistedAndASentOneIsNoLongerPending) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  std::vector<Delivery> batch{pending("one", 1), pending("two", 2), pending("three", 3)};
  ASSERT_TRUE(store->add_alerts(batch, {}));
  Delivery sent = batch[0];
  sent.state = DeliveryState::kSent;
  sent.attempts = 1;
  sent.last_attempt_at = at_ms(2'000);
  sent.done_at = at_ms(2'001);
  ASSERT_TRUE(store->update_delivery(sent));
  Delivery retry = batch[1];
  retry.attempts = 2;
  retry.last_attempt_at = at_ms(3'000);
  retry.next_attempt_at = at_ms(63'000);
  retry.last_error = "connect: connection refused";
  ASSERT_TRUE(store->update_delivery(retry));
  Delivery unknown = pending("never-added");
  EXPECT_FALSE(store->update_delivery(unknown));

  store = open_store(dir);  // what was updated is in the file, not only in the connection
  ASSERT_TRUE(store);
  auto owed = store->pending_deliveries();
  ASSERT_TRUE(owed);
  EXPECT_EQ(owed.value(), (std::vector<Delivery>{retry, batch[2]}));
  auto all = store->recent_deliveries(10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all.value().size(), 3u);
  EXPECT_EQ(all.value()[2], sent);
}

TEST(AlertRecords, PendingRowsSurviveReopen) {
  TempDir dir;
  std::vector<Delivery> batch{pending("p1", 1), pending("p2", 2)};
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->add_alerts(batch, {route("heartbeat/backup", "ops", 2)}));
  }
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->pending_deliveries().value(), batch);
  EXPECT_EQ(store->saved_routes().value(), std::vector<SavedRoute>{route("heartbeat/backup", "ops", 2)});
}

enum class Death { kExit, kSigkill };

// Forks a child that opens the store in `dir`, commits `batch` and `routes`, reports the seqs
// add_alerts gave them through a pipe, and then dies without closing the database: by
// _exit() right after add_alerts returns, or by the parent's SIGKILL while it waits. The
// returned seqs are those the rows must have.
std::vector<std::int64_t> commit_in_child_then_die(const TempDir& dir, std::vector<Delivery> batch,
                                                   const std::vector<SavedRoute>& routes, Death how) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto store = StateStore::open(dir.path().string());  // never closed: the child dies holding it
    const bool ok = store && (*store)->add_alerts(batch, routes);
    std::vector<std::int64_t> seqs;
    if (ok) {
      for (const Delivery& d : batch) seqs.push_back(d.seq);
    }
    (void)!write(fds[1], seqs.data(), seqs.size() * sizeof(std::int64_t));
    if (how == Death::kExit) _exit(ok ? 0 : 1);
    close(fds[1]);  // the parent's read ends here; it then kills us in pause()
    for (;;) pause();
  }
  EXPECT_GT(pid, 0);
  close(fds[1]);
  std::vector<std::int64_t> seqs(batch.size());
  std::size_t got = 0;
  char* buf = reinterpret_cast<char*>(seqs.data());
  const std::size_t want = seqs.size() * sizeof(std::int64_t);
  while (got < want) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 30'000) != 1) break;  // a hung child: killed below, and the test fails
    const ssize_t n = read(fds[0], buf + got, want - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  if (how == Death::kSigkill || got != want) kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  if (how == Death::kExit) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  } else {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  }
  EXPECT_EQ(got, want) << "the child's add_alerts failed or hung";
  return seqs;
}

void expect_batch_survives_death(Death how) {
  TempDir dir;
  std::vector<Delivery> batch{pending("k1", 1), pending("k2", 2), pending("k3", 3)};
  const std::vector<SavedRoute> routes{route("check/db", "ops", 1)};
  const std::vector<std::int64_t> seqs = commit_in_child_then_die(dir, batch, routes, how);
  ASSERT_EQ(seqs.size(), batch.size());
  // The child never closed (nor checkpointed) the database: the rows are in the WAL only, and
  // opening the file again must recover them from it.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "hale.db-wal"));
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].seq = seqs[i];
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  auto owed = store->pending_deliveries();
  ASSERT_TRUE(owed) << owed.status().message();
  EXPECT_EQ(owed.value(), batch);
  EXPECT_EQ(store->saved_routes().value(), routes);
}

TEST(AlertRecords, CommittedBatchSurvivesExitWithoutClosingTheDatabase) {
  expect_batch_survives_death(Death::kExit);
}

TEST(AlertRecords, CommittedBatchSurvivesSigkill) { expect_batch_survives_death(Death::kSigkill); }

TEST(AlertRecords, PruneDeletesOnlyDoneRowsDoneBeforeTheCutoff) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  auto done = [](std::string id, DeliveryState state, std::int64_t done_ms) {
    Delivery d = pending(std::move(id));
    d.created_at = at_ms(1);
    d.state = state;
    d.done_at = at_ms(done_ms);
    return d;
  };
  Delivery old_pending = pending("old-pending");
  old_pending.created_at = at_ms(1);
  Delivery pending_with_done_at = done("pending-done-at", DeliveryState::kPending, 5);  // odd, still owed
  std::vector<Delivery> batch{old_pending,
                              pending_with_done_at,
                              done("sent-old", DeliveryState::kSent, 10),
                              done("failed-old", DeliveryState::kFailed, 20),
                              done("silenced-old", DeliveryState::kSilenced, 30),
                              done("sent-at-cutoff", DeliveryState::kSent, 100),
                              done("sent-new", DeliveryState::kSent, 200)};
  ASSERT_TRUE(store->add_alerts(batch, {}));
  ASSERT_TRUE(store->prune_deliveries(at_ms(100)));
  EXPECT_EQ(ids(store->recent_deliveries(100).value()),
            (std::vector<std::string>{"sent-new", "sent-at-cutoff", "pending-done-at", "old-pending"}));
  // Even a cutoff far in the future (2191: WallTime counts nanoseconds in 64 bits, which ends
  // in 2262) leaves every pending row.
  ASSERT_TRUE(store->prune_deliveries(at_ms(7'000'000'000'000)));
  EXPECT_EQ(ids(store->recent_deliveries(100).value()), (std::vector<std::string>{"pending-done-at", "old-pending"}));
  EXPECT_EQ(store->pending_deliveries().value().size(), 2u);
}

TEST(AlertRecords, RecentDeliveriesAreNewestFirstAndLimited) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  std::vector<Delivery> first{pending("d1"), pending("d2")};
  ASSERT_TRUE(store->add_alerts(first, {}));
  for (const char* id : {"d3", "d4", "d5"}) {
    std::vector<Delivery> one{pending(id)};
    ASSERT_TRUE(store->add_alerts(one, {}));
  }
  Delivery sent = first[0];
  sent.state = DeliveryState::kSent;
  sent.done_at = at_ms(9);
  ASSERT_TRUE(store->update_delivery(sent));  // a state change does not reorder
  EXPECT_EQ(ids(store->recent_deliveries(3).value()), (std::vector<std::string>{"d5", "d4", "d3"}));
  EXPECT_EQ(ids(store->recent_deliveries(100).value()), (std::vector<std::string>{"d5", "d4", "d3", "d2", "d1"}));
  EXPECT_TRUE(store->recent_deliveries(0).value().empty());
  EXPECT_EQ(store->recent_deliveries(static_cast<std::size_t>(-1)).value().size(), 5u);
}

TEST(AlertRecords, RoutesAreInsertedReplacedAndDeleted) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  std::vector<Delivery> none;
  SavedRoute empty;  // no open key, no last change
  empty.subject = "service/web";
  empty.notifier = "ops";
  ASSERT_TRUE(store->add_alerts(none, {route("check/db", "pager", 1), route("check/db", "ops", 2), empty}));
  EXPECT_EQ(store->saved_routes().value(),
            (std::vector<SavedRoute>{route("check/db", "ops", 2), route("check/db", "pager", 1), empty}));

  SavedRoute replaced = route("check/db", "ops", 7);
  replaced.open[Health::kDegraded] = OpenKey{Health::kOk, at_ms(1), at_ms(2), at_ms(3), 0, false, "degraded", "slow"};
  ASSERT_TRUE(store->add_alerts(none, {replaced}));
  EXPECT_EQ(store->saved_routes().value(),
            (std::vector<SavedRoute>{replaced, route("check/db", "pager", 1), empty}));

  ASSERT_TRUE(store->delete_route("check/db", "pager"));
  ASSERT_TRUE(store->delete_route("check/db", "nobody"));  // not there: not an error
  store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->saved_routes().value(), (std::vector<SavedRoute>{replaced, empty}));
}

TEST(AlertRecords, SilencesAreSavedReplacedListedByStartAndDeletedWhenEnded) {
  TempDir dir;
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->save_silence(silence("c", 300, 400)));
  ASSERT_TRUE(store->save_silence(silence("b", 100, 200)));
  ASSERT_TRUE(store->save_silence(silence("a", 100, 500)));
  Silence no_matchers{"config-0-100", {}, at_ms(50), at_ms(150), "", "", at_ms(0)};
  ASSERT_TRUE(store->save_silence(no_matchers));
  auto listed = store->silences();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed.value(), (std::vector<Silence>{no_matchers, silence("a", 100, 500), silence("b", 100, 200),
                                                  silence("c", 300, 400)}));

  Silence moved = silence("b", 350, 600);  // replaced by id: one row, new place in the order
  moved.comment = "extended";
  moved.matchers = {{"key", "check/*/fail"}};
  ASSERT_TRUE(store->save_silence(moved));
  EXPECT_EQ(store->silences().value(),
            (std::vector<Silence>{no_matchers, silence("a", 100, 500), silence("c", 300, 400), moved}));

  ASSERT_TRUE(store->delete_silences_ended_before(at_ms(400)));  // ends_at 150 goes; 400 is not before
  store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->silences().value(), (std::vector<Silence>{silence("a", 100, 500), silence("c", 300, 400), moved}));
}

TEST(AlertRecords, UnreadableRowsAreSkippedAndLogged) {
  TempDir dir;
  std::vector<Delivery> batch{pending("r1", 1), pending("r2", 2), pending("r3", 3)};
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->add_alerts(batch, {route("check/a", "ops", 1), route("check/b", "ops", 2)}));
    ASSERT_TRUE(store->save_silence(silence("s1", 1, 2)));
    ASSERT_TRUE(store->save_silence(silence("s2", 3, 4)));
  }
  {
    // r1: not JSON at all; r3: JSON a future hale might write, not an Alert this one reads.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "hale.db").c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE alert_outbox SET alert = '{\"key\": tru' WHERE seq = " +
                            std::to_string(batch[0].seq) + ";"
                            "UPDATE alert_outbox SET alert = '{\"key\": \"x\", \"v\": 2}' WHERE seq = " +
                            std::to_string(batch[2].seq) + ";"
                            "UPDATE alert_routes SET state = '[' WHERE subject = 'check/a';"
                            "UPDATE alert_silences SET matchers = '[{\"name\": 1}]' WHERE id = 's1';";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
  }
  std::ostringstream log;
  init_logging(LogLevel::kInfo, &log);
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  auto owed = store->pending_deliveries();
  auto recent = store->recent_deliveries(10);
  auto routes = store->saved_routes();
  auto silenced = store->silences();
  init_logging(LogLevel::kInfo, nullptr);

  ASSERT_TRUE(owed) << owed.status().message();
  EXPECT_EQ(owed.value(), std::vector<Delivery>{batch[1]});
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent.value(), std::vector<Delivery>{batch[1]});
  ASSERT_TRUE(routes);
  EXPECT_EQ(routes.value(), std::vector<SavedRoute>{route("check/b", "ops", 2)});
  ASSERT_TRUE(silenced);
  EXPECT_EQ(silenced.value(), std::vector<Silence>{silence("s2", 3, 4)});

  // One line per skipped row and read: r1 and r3 twice (two reads), a route, a silence.
  std::vector<nlohmann::json> lines;
  std::istringstream in(log.str());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("event", "") == "alert_row_unreadable") lines.push_back(j);
  }
  ASSERT_EQ(lines.size(), 6u) << log.str();
  std::vector<std::int64_t> seqs;
  for (const auto& j : lines) {
    if (j.value("table", "") == "alert_outbox") seqs.push_back(j.at("seq").get<std::int64_t>());
  }
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{batch[0].seq, batch[2].seq, batch[2].seq, batch[0].seq}));
  EXPECT_EQ(lines[4].value("table", ""), "alert_routes");
  EXPECT_EQ(lines[4].value("subject", ""), "check/a");
  EXPECT_EQ(lines[5].value("table", ""), "alert_silences");
  EXPECT_EQ(lines[5].value("id", ""), "s1");
  EXPECT_EQ(lines[0].value("level", ""), "warn");
}

}  // namespace
}  // namespace hale
