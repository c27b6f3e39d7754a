// FakeHost through the raw chp_host table, as a C plugin would use it: CAS semantics,
// outbox parking, transaction lifetime.
#include <gtest/gtest.h>
#include <connector_host/testing/fake_host.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

using chp::testing::FakeHost;

chp_str s(const char* text) { return chp_str{text, std::char_traits<char>::length(text)}; }

void collect(void* user, chp_str data) {
  static_cast<std::vector<std::string>*>(user)->emplace_back(data.ptr, data.len);
}

TEST(FakeHost, TableIsAVersionedHeader) {
  const chp_host* t = FakeHost::table();
  EXPECT_EQ(t->struct_size, sizeof(chp_host));
  EXPECT_EQ(t->abi_major, CHP_ABI_MAJOR);
  EXPECT_NE(t->connection_token, nullptr);
}

TEST(FakeHost, SecretCasVersionsAndConflicts) {
  FakeHost host;
  const chp_host* t = FakeHost::table();
  EXPECT_EQ(t->secret_put(host.ctx(), s("k"), s("v1"), 5), CHP_ERR_CONFLICT) << "absent != 5";
  EXPECT_EQ(t->secret_put(host.ctx(), s("k"), s("v1"), 0), CHP_OK);
  EXPECT_EQ(t->secret_put(host.ctx(), s("k"), s("v2"), 0), CHP_ERR_CONFLICT);
  std::vector<std::string> got;
  std::uint64_t version = 0;
  ASSERT_EQ(t->secret_get(host.ctx(), s("k"), collect, &got, &version), CHP_OK);
  EXPECT_EQ(got, std::vector<std::string>{"v1"});
  EXPECT_EQ(version, 1u);
  EXPECT_EQ(t->secret_put(host.ctx(), s("k"), s("v2"), version), CHP_OK);
  EXPECT_EQ(host.secret("k")->second, 2u);
  EXPECT_EQ(t->secret_get(host.ctx(), s("missing"), collect, &got, &version), CHP_ERR_NOT_FOUND);
}

TEST(FakeHost, ConcurrentCasHasExactlyOneWinnerPerVersion) {
  FakeHost host;
  std::atomic<int> wins{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&host, &wins, i] {
      std::string value = "writer" + std::to_string(i);
      if (FakeHost::table()->secret_put(host.ctx(), s("k"), s(value.c_str()), 0) == CHP_OK) {
        ++wins;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(host.secret("k")->second, 1u);
}

TEST(FakeHost, OutboxDoneWithErrorParksTheEntry) {
  FakeHost host;
  const chp_host* t = FakeHost::table();
  std::int64_t a = host.seed_outbox("c", "a", "{}");
  std::int64_t b = host.seed_outbox("c", "b\"q", R"({"n":1})");
  chp_txn* txn = nullptr;
  ASSERT_EQ(t->txn_begin(host.ctx(), &txn), CHP_OK);
  t->txn_outbox_done(txn, a, s("HTTP 400: invalid field"));
  ASSERT_EQ(t->txn_commit(txn), CHP_OK);
  std::vector<std::string> pending;
  ASSERT_EQ(t->outbox_pending(host.ctx(), 10, collect, &pending), CHP_OK);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0], "{\"entry_id\":" + std::to_string(b) +
                            R"(,"collection":"c","id":"b\"q","record":{"n":1}})");
  EXPECT_EQ(host.outbox().at(a).error, "HTTP 400: invalid field");
}

TEST(FakeHost, OutboxPendingHonoursLimit) {
  FakeHost host;
  for (int i = 0; i < 5; ++i) host.seed_outbox("c", std::to_string(i), "{}");
  std::vector<std::string> pending;
  ASSERT_EQ(FakeHost::table()->outbox_pending(host.ctx(), 2, collect, &pending), CHP_OK);
  EXPECT_EQ(pending.size(), 2u);
}

TEST(FakeHost, TransactionsLeftOpenAreCountedAndFreed) {
  auto host = std::make_unique<FakeHost>();
  chp_txn* txn = nullptr;
  ASSERT_EQ(FakeHost::table()->txn_begin(host->ctx(), &txn), CHP_OK);
  FakeHost::table()->txn_put(txn, s("k"), s("v"));
  EXPECT_EQ(host->open_transactions(), 1u);
  EXPECT_FALSE(host->state_value("k").has_value()) << "staged, not visible before commit";
  host.reset();  // frees the open transaction (checked under ASan)
}

TEST(FakeHost, CommitEndsTheTransactionEvenWhenItFails) {
  FakeHost host;
  host.set_commit_status(CHP_ERR_TRANSIENT);
  chp_txn* txn = nullptr;
  ASSERT_EQ(FakeHost::table()->txn_begin(host.ctx(), &txn), CHP_OK);
  EXPECT_EQ(FakeHost::table()->txn_commit(txn), CHP_ERR_TRANSIENT);
  EXPECT_EQ(host.open_transactions(), 0u);
  EXPECT_EQ(host.commits(), 0u);
}

}  // namespace
