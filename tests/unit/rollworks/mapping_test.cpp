// The versioned account data mapping (plugins/rollworks/src/mapping.*): after a mapping change
// both targets are written until the legacy target's date, on the test clock, then only the
// new one; a new mapping version re-reads the feed so the new target gets every account; the
// status line and the summary say which targets are written.
#include "sync_world.hpp"

namespace {

// Its own suite name: each test file has its own copy of the fixture (sync_world.hpp).
class RollworksMappingTest : public RollworksSyncTest {};

constexpr const char* kNew = "RollWorks_ABM_Account__c";
constexpr const char* kOld = "RollWorks_Account_Data__c";

// Mapping v2 into kNew (keyed by RW_Account_Id__c), v1 (the old default) written until `until`.
std::string dual_write_config(const std::string& until) {
  return config_json(std::string(R"(,"objects_up":[],"account_data_object":")") + kNew +
                     R"(","account_data_external_id_field":"RW_Account_Id__c",)"
                     R"("account_data_mapping_version":2,"account_data_legacy":{"version":1,)"
                     R"("object":")" +
                     kOld + R"(","until":")" + until + R"("})");
}

TEST_F(RollworksMappingTest, AMappingChangeWritesBothTargetsUntilTheDateThenOnlyTheNewOne) {
  ASSERT_TRUE(plugin_.create(dual_write_config("2026-12-08T12:00:00Z")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(world_.custom[kNew].size(), 2u);
  ASSERT_EQ(world_.custom[kOld].size(), 2u);
  EXPECT_EQ(world_.custom[kNew].at("rwa_1").at("RW_Account_Id__c"), "rwa_1");
  EXPECT_EQ(world_.custom[kNew].at("rwa_1").at("Account__c"), "001A");
  EXPECT_EQ(world_.custom[kOld].at("rwa_1").at("RollWorks_Account_Id__c"), "rwa_1");
  EXPECT_EQ(world_.custom[kOld].at("rwa_1").at("Intent_Score__c").as_int64(), 72);
  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("down").at("accounts").at("upserted").as_int64(), 2);
  EXPECT_EQ(out.at("down").at("accounts").at("legacy_upserted").as_int64(), 2);
  EXPECT_EQ(out.at("mapping").at("legacy").at("written"), true);
  EXPECT_EQ(host_.statuses().back(),
            "account data mapping v2 → RollWorks_ABM_Account__c; also v1 → "
            "RollWorks_Account_Data__c until 2026-12-08T12:00:00Z");

  // One second before the end both are still written.
  ClockedRollworks::now_for_test = kNoon + 7 * 86400 - 1;
  world_.add_change("rwa_1", "001A", 80);
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.custom[kOld].at("rwa_1").at("Intent_Score__c").as_int64(), 80);

  // From the date on, only the new target.
  ClockedRollworks::now_for_test = kNoon + 7 * 86400;
  world_.add_change("rwa_1", "001A", 90);
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.custom[kNew].at("rwa_1").at("Intent_Score__c").as_int64(), 90);
  EXPECT_EQ(world_.custom[kOld].at("rwa_1").at("Intent_Score__c").as_int64(), 80);
  EXPECT_EQ(output(r).at("down").at("accounts").at("legacy_upserted").as_int64(), 0);
  EXPECT_EQ(output(r).at("mapping").at("legacy").at("written"), false);
  EXPECT_EQ(host_.statuses().back(),
            "account data mapping v2 → RollWorks_ABM_Account__c; v1 → RollWorks_Account_Data__c "
            "no longer written (dual write ended 2026-12-08T12:00:00Z)");
}

TEST_F(RollworksMappingTest, ANewMappingVersionReReadsTheFeedSoTheNewTargetGetsEveryAccount) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());  // v1, the default
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(host_.state_value("down/accounts/cursor"), "c2");
  EXPECT_EQ(host_.state_value("down/accounts/mapping_version"), "1");

  ASSERT_TRUE(plugin_.create(dual_write_config("2026-12-08T12:00:00Z")).ok());  // v2
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors, (std::vector<std::string>{"", ""}));  // a snapshot again
  EXPECT_EQ(world_.custom[kNew].size(), 2u);  // not only accounts that change from now on
  EXPECT_EQ(output(r).at("down").at("accounts").at("mapping_backfill"), true);
  EXPECT_EQ(host_.state_value("down/accounts/mapping_version"), "2");

  r = plugin_.sync("{}");  // then incremental again
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors.back(), "c2");
  EXPECT_EQ(output(r).at("down").at("accounts").at("mapping_backfill"), false);
}

TEST_F(RollworksMappingTest, RefusedLegacyWritesWaitDuringThePeriodAndAreRemovedAfterIt) {
  world_.sf_refuse.insert(std::string(kOld) + ":rwa_2");
  ASSERT_TRUE(plugin_.create(dual_write_config("2026-12-02T12:00:00Z")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(world_.custom[kNew].size(), 2u);  // the new target is not held back
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->second.collection, kOld);

  ClockedRollworks::now_for_test = kNoon + 86400;  // the period is over
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(output(r).at("down").at("accounts").at("retired").as_int64(), 1);
  bool logged = false;
  for (const auto& line : host_.logs()) {
    logged |= line.message.find(
                  "1 waiting RollWorks_Account_Data__c entry removed: mapping v1 "
                  "(RollWorks_Account_Data__c) is no longer written: its "
                  "dual-write period ended 2026-12-02T12:00:00Z") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(RollworksMappingTest, ALegacyMappingThatCannotWorkIsRefusedNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"version":2,"object":"Old__c","until":"2027-01-01T00:00:00Z"})",
       "account_data_legacy: 'version' must be at least 1 and lower than "
       "'account_data_mapping_version' (2)"},
      {R"({"version":1,"object":"RollWorks_ABM_Account__c","until":"2027-01-01T00:00:00Z"})",
       "account_data_legacy: 'object' is the current account_data_object "
       "(RollWorks_ABM_Account__c): a legacy target must be another object"},
      {R"({"version":1,"object":"Old__c","until":"2027-13-01T00:00:00Z"})",
       "account_data_legacy: 'until' must be an RFC 3339 date-time such as "
       "2027-01-31T00:00:00Z, not 2027-13-01T00:00:00Z"},
      {R"({"version":1,"object":"Old Object","until":"2027-01-01T00:00:00Z"})",
       "account_data_legacy: 'object' is not a Salesforce API name: Old Object"}};
  const std::string current =
      R"(,"account_data_object":"RollWorks_ABM_Account__c","account_data_mapping_version":2,)"
      R"("account_data_legacy":)";
  for (const auto& [legacy, error] : cases) {
    auto r = plugin_.create(config_json(current + legacy));
    EXPECT_EQ(r.status, CHP_ERR_CONFIG) << legacy;
    EXPECT_NE(r.error.find(error), std::string::npos) << r.error;
  }
  // What the schema says, the host refuses before the plugin sees it.
  const std::vector<std::pair<std::string, std::string>> refused_by_schema = {
      {R"({"version":1,"object":"Old__c","until":"next week"})",
       "config.account_data_legacy.until: \"next week\" does not match pattern"},
      {R"({"version":1,"object":"Old__c","until":"2027-01-01T00:00:00Z","days":3})",
       "config.account_data_legacy.days: unknown key 'days'"},
      {R"({"version":0,"object":"Old__c","until":"2027-01-01T00:00:00Z"})",
       "config.account_data_legacy.version: must be at least 1, got integer 0"}};
  for (const auto& [legacy, error] : refused_by_schema) {
    const chost::config::CompletedConfig c = chost::config::complete_plugin_config(
        rollworks::kConfigSchemaJson, raw_config_json(current + legacy));
    ASSERT_EQ(c.problems.size(), 1u) << legacy;
    EXPECT_NE(c.problems[0].find(error), std::string::npos) << c.problems[0];
  }
}

}  // namespace
