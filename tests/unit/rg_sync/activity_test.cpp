// rg-sync's pure parts: which participants count, the external id, the Task fields.
#include "activity.hpp"

#include <gtest/gtest.h>

namespace rgsync {
namespace {

MailMessage message_from(const char* json) {
  std::optional<MailMessage> m = parse_message(boost::json::parse(json));
  EXPECT_TRUE(m.has_value());
  return m.value_or(MailMessage{});
}

constexpr const char* kMessage = R"({
  "id":"AAMkAD1=","internetMessageId":"<m1@fabrikam.com>","subject":"Quote",
  "bodyPreview":"Here is the quote","isDraft":false,
  "from":{"emailAddress":{"name":"Pat","address":"Pat@Fabrikam.com"}},
  "toRecipients":[{"emailAddress":{"name":"Ana","address":"ana@contoso.com"}},
                  {"emailAddress":{"name":"Lee","address":"lee@contoso.com"}}],
  "ccRecipients":[{"emailAddress":{"address":"news@mailer.example"}},
                  {"emailAddress":{"address":"pat@fabrikam.com"}},
                  {"emailAddress":{"address":"kim@northwind.com"}}],
  "receivedDateTime":"2026-11-30T09:15:00Z","sentDateTime":"2026-11-30T09:14:58Z"})";

TEST(Activity, ExternalParticipantsSkipOwnerInternalAndBlockedInOrder) {
  MailMessage m = message_from(kMessage);
  EXPECT_EQ(m.from->address, "pat@fabrikam.com");  // addresses compare lower-case
  auto ext = external_participants(m, "ana@contoso.com", {"contoso.com"}, {"@mailer.example"});
  EXPECT_EQ(ext, (std::vector<std::string>{"pat@fabrikam.com", "kim@northwind.com"}));
  EXPECT_TRUE(external_participants(m, "ana@contoso.com",
                                    {"contoso.com", "fabrikam.com", "northwind.com"},
                                    {"@mailer.example"})
                  .empty());
}

TEST(Activity, RemovedItemsAndItemsWithoutIdAreRecognised) {
  auto removed = parse_message(boost::json::parse(R"({"id":"X","@removed":{"reason":"deleted"}})"));
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->removed);
  EXPECT_FALSE(parse_message(boost::json::parse(R"({"subject":"no id"})")));
  EXPECT_FALSE(parse_message(boost::json::parse("42")));
}

TEST(Activity, ExternalIdIsStablePerOwnerAndMessageAndIgnoresTheGraphId) {
  MailMessage m = message_from(kMessage);
  const std::string id = task_external_id("ana@contoso.com", m);
  EXPECT_EQ(id.size(), 43u);
  EXPECT_EQ(id.rfind("rg-", 0), 0u);
  MailMessage moved = m;
  moved.id = "AAMkAD-other=";  // Graph ids change when a message moves between folders
  EXPECT_EQ(task_external_id("ana@contoso.com", moved), id);
  EXPECT_NE(task_external_id("lee@contoso.com", m), id);  // one Task per owner
  MailMessage no_mid = m;
  no_mid.internet_message_id.clear();
  EXPECT_NE(task_external_id("ana@contoso.com", no_mid), id);
}

TEST(Activity, TaskForAContactCarriesItsAccountAndALeadNone) {
  MailMessage m = message_from(kMessage);
  TaskFields f;
  f.owner_id = "005000000000001AAA";
  f.who = Who{"003000000000001AAA", "001000000000001AAA", false};
  f.external_id_field = "RG_Message_Id__c";
  f.external_id = "rg-abc";
  f.snippet_chars = 4;
  boost::json::object t = build_task(m, f);
  EXPECT_EQ(t.at("attributes").at("type"), "Task");
  EXPECT_EQ(t.at("RG_Message_Id__c"), "rg-abc");
  EXPECT_EQ(t.at("Subject"), "Email: Quote");
  EXPECT_EQ(t.at("Status"), "Completed");
  EXPECT_EQ(t.at("OwnerId"), "005000000000001AAA");
  EXPECT_EQ(t.at("WhoId"), "003000000000001AAA");
  EXPECT_EQ(t.at("WhatId"), "001000000000001AAA");
  EXPECT_EQ(t.at("ActivityDate"), "2026-11-30");
  EXPECT_EQ(t.at("Description"), "Received: 2026-11-30T09:15:00Z\n\nHere");
  f.who = Who{"00Q000000000001AAA", "", true};
  f.outgoing = true;
  boost::json::object lead = build_task(m, f);
  EXPECT_FALSE(lead.contains("WhatId"));  // Salesforce refuses a WhatId with a Lead
  EXPECT_EQ(std::string(lead.at("Description").as_string()).substr(0, 26),
            "Sent: 2026-11-30T09:14:58Z");
}

TEST(Activity, LongSubjectsAreCutWithoutSplittingACharacter) {
  MailMessage m;
  m.id = "x";
  for (int i = 0; i < 200; ++i) m.subject += "\xC3\xA9";  // é, two bytes each
  TaskFields f;
  f.external_id_field = "RG_Message_Id__c";
  boost::json::object t = build_task(m, f);
  const std::string subject(t.at("Subject").as_string());
  EXPECT_LE(subject.size(), 255u);
  EXPECT_EQ((subject.size() - 7) % 2, 0u);  // "Email: " then whole characters
}

TEST(Activity, SoqlQuotingAndEmailShape) {
  EXPECT_EQ(soql_quote("o'neil@x.com"), "'o\\'neil@x.com'");
  EXPECT_EQ(soql_quote("a\\b"), "'a\\\\b'");
  EXPECT_TRUE(is_plausible_email("ana@contoso.com"));
  EXPECT_FALSE(is_plausible_email("ana"));
  EXPECT_FALSE(is_plausible_email("ana@contoso"));
  EXPECT_FALSE(is_plausible_email("a'b@contoso.com"));
  EXPECT_FALSE(is_plausible_email("a@b@c.com"));
}

}  // namespace
}  // namespace rgsync
