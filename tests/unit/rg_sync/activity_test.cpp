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

constexpr const char* kEvent = R"({
  "id":"AAMkAGE=","iCalUId":"040000008200E00074C5B7101A82E008","subject":"Quote review",
  "bodyPreview":"Let us go through the quote","isAllDay":false,"isCancelled":false,
  "start":{"dateTime":"2026-12-03T10:00:00.1230000","timeZone":"UTC"},
  "end":{"dateTime":"2026-12-03T10:45:00.0000000","timeZone":"UTC"},
  "location":{"displayName":"Room 4"},
  "organizer":{"emailAddress":{"name":"Ana","address":"ana@contoso.com"}},
  "attendees":[{"type":"required","status":{"response":"none"},
                "emailAddress":{"name":"Pat","address":"Pat@Fabrikam.com"}},
               {"type":"optional","emailAddress":{"address":"lee@contoso.com"}},
               {"type":"required","emailAddress":{"address":"kim@northwind.com"}}]})";

CalendarEvent event_from(const char* json) {
  std::optional<CalendarEvent> e = parse_event(boost::json::parse(json));
  EXPECT_TRUE(e.has_value());
  return e.value_or(CalendarEvent{});
}

TEST(Activity, EventParticipantsAreTheOrganizerThenAttendeesMinusOwnerAndInternal) {
  CalendarEvent e = event_from(kEvent);
  EXPECT_EQ(e.location, "Room 4");
  EXPECT_EQ(external_participants(e, "ana@contoso.com", {"contoso.com"}, {}),
            (std::vector<std::string>{"pat@fabrikam.com", "kim@northwind.com"}));
  EXPECT_EQ(external_participants(e, "ana@contoso.com", {"contoso.com"}, {"@fabrikam.com"}),
            (std::vector<std::string>{"kim@northwind.com"}));
  auto removed = parse_event(boost::json::parse(R"({"id":"X","@removed":{"reason":"deleted"}})"));
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->removed);
  EXPECT_TRUE(event_from(R"({"id":"c","isCancelled":true})").cancelled);
  EXPECT_FALSE(parse_event(boost::json::parse(R"({"subject":"no id"})")));
}

TEST(Activity, EventIdUsesTheICalUIdElseTheGraphIdPerOwner) {
  CalendarEvent e = event_from(kEvent);
  const std::string id = event_external_id("ana@contoso.com", e);
  EXPECT_EQ(id.size(), 43u);
  EXPECT_EQ(id.rfind("rg-", 0), 0u);
  CalendarEvent other_copy = e;
  other_copy.id = "AAMkAGE-other=";  // the same meeting, another Graph id
  EXPECT_EQ(event_external_id("ana@contoso.com", other_copy), id);
  EXPECT_NE(event_external_id("lee@contoso.com", e), id);
  CalendarEvent no_uid = e;
  no_uid.ical_uid.clear();
  EXPECT_NE(event_external_id("ana@contoso.com", no_uid), id);
}

TEST(Activity, GraphUtcTimesBecomeSalesforceDateTimes) {
  EXPECT_EQ(salesforce_datetime("2024-03-05T10:00:00.0000000", "UTC"), "2024-03-05T10:00:00.000Z");
  EXPECT_EQ(salesforce_datetime("2024-03-05T10:00:00.1239999", "UTC"), "2024-03-05T10:00:00.123Z");
  EXPECT_EQ(salesforce_datetime("2024-03-05T10:00:00Z", ""), "2024-03-05T10:00:00.000Z");
  EXPECT_FALSE(salesforce_datetime("2024-03-05T10:00:00.0000000", "Pacific Standard Time"));
  EXPECT_FALSE(salesforce_datetime("2024-03-05 10:00", "UTC"));
  EXPECT_FALSE(salesforce_datetime("", "UTC"));
}

TEST(Activity, EventForAContactCarriesItsAccountAndALeadNone) {
  CalendarEvent e = event_from(kEvent);
  EventFields f{"005A", Who{"003P", "001F", false}, "RG_Event_Id__c", "rg-x", 10};
  std::optional<boost::json::object> ev = build_event(e, f);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->at("attributes").at("type"), "Event");
  EXPECT_EQ(ev->at("RG_Event_Id__c"), "rg-x");
  EXPECT_EQ(ev->at("Subject"), "Quote review");
  EXPECT_EQ(ev->at("StartDateTime"), "2026-12-03T10:00:00.123Z");
  EXPECT_EQ(ev->at("EndDateTime"), "2026-12-03T10:45:00.000Z");
  EXPECT_FALSE(ev->contains("DurationInMinutes"));
  EXPECT_EQ(ev->at("IsAllDayEvent"), false);
  EXPECT_EQ(ev->at("Location"), "Room 4");
  EXPECT_EQ(ev->at("OwnerId"), "005A");
  EXPECT_EQ(ev->at("WhoId"), "003P");
  EXPECT_EQ(ev->at("WhatId"), "001F");
  EXPECT_EQ(ev->at("Description"), "Let us go ");
  f.who = Who{"00QK", "", true};
  ev = build_event(e, f);
  ASSERT_TRUE(ev);
  EXPECT_FALSE(ev->contains("WhatId"));
  CalendarEvent zoned = e;
  zoned.start_zone = "W. Europe Standard Time";
  EXPECT_FALSE(build_event(zoned, f));
}

TEST(Activity, AllDayEventsEndOnTheirLastDay) {
  CalendarEvent e = event_from(kEvent);
  e.all_day = true;
  e.start = "2026-12-31T00:00:00.0000000";
  e.end = "2027-01-01T00:00:00.0000000";  // Graph: the next midnight, exclusive
  EventFields f{"005A", Who{"003P", "001F", false}, "RG_Event_Id__c", "rg-x", 0};
  std::optional<boost::json::object> ev = build_event(e, f);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->at("IsAllDayEvent"), true);
  EXPECT_EQ(ev->at("StartDateTime"), "2026-12-31T00:00:00.000Z");
  EXPECT_EQ(ev->at("EndDateTime"), "2026-12-31T00:00:00.000Z");
  EXPECT_FALSE(ev->contains("Description"));
  e.end = "2027-01-03T00:00:00.0000000";  // three days
  EXPECT_EQ(build_event(e, f)->at("EndDateTime"), "2027-01-02T00:00:00.000Z");
}

TEST(Activity, TheCalendarWindowIsWholeUtcDaysAndSlidesOnceADayOld) {
  // 2026-12-01T12:00:00Z
  const std::chrono::system_clock::time_point noon{std::chrono::seconds{1796126400}};
  CalendarWindow w = calendar_window(noon, 14, 14);
  EXPECT_EQ(w.start, "2026-11-17T00:00:00Z");
  EXPECT_EQ(w.end, "2026-12-16T00:00:00Z");
  EXPECT_EQ(calendar_window(noon, 0, 0).end, "2026-12-02T00:00:00Z");
  EXPECT_FALSE(calendar_window_stale(w.start, noon, 14));
  EXPECT_FALSE(calendar_window_stale(w.start, noon + std::chrono::hours{11}, 14));
  EXPECT_TRUE(calendar_window_stale(w.start, noon + std::chrono::hours{13}, 14));
  EXPECT_TRUE(calendar_window_stale("garbage", noon, 14));
}

}  // namespace
}  // namespace rgsync
