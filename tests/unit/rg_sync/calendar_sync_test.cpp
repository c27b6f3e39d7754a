// rg-sync's calendar half (calendar_sync.cpp) against the scripted world (sync_world.hpp):
// meetings become Salesforce Events owned by the user, removed ones stay, the window slides, an
// expired token starts a new round, and calendar: false reads none.
#include "sync_world.hpp"

namespace rgsync_test {
namespace {

// --- calendar ---

const boost::json::object* event_with_who(const World& w, const char* who) {
  for (const auto& [ext, e] : w.sf_events) {
    if (e.at("WhoId") == who) return &e;
  }
  return nullptr;
}

TEST_F(RgSyncTest, MeetingsWithAKnownExternalParticipantBecomeEventsOwnedByTheUser) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  world_.add_event("ana@contoso.com", "e2", "kim@northwind.com", "ana@contoso.com");
  world_.add_event("ana@contoso.com", "e3", "ana@contoso.com", "lee@contoso.com");  // internal
  world_.add_event("ana@contoso.com", "e4", "ana@contoso.com", "pat@fabrikam.com", true);
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.sf_events.size(), 2u);  // e3 internal only, e4 cancelled
  const boost::json::object* pat = event_with_who(world_, "003P");
  const boost::json::object* kim = event_with_who(world_, "00QK");
  ASSERT_TRUE(pat && kim);
  EXPECT_EQ(pat->at("OwnerId"), "005A");
  EXPECT_EQ(pat->at("WhatId"), "001F");
  EXPECT_FALSE(kim->contains("WhatId"));  // never next to a Lead
  EXPECT_EQ(pat->at("Subject"), "Meeting e1");
  EXPECT_EQ(pat->at("StartDateTime"), "2026-12-03T10:00:00.000Z");
  EXPECT_EQ(pat->at("EndDateTime"), "2026-12-03T10:30:00.000Z");
  EXPECT_FALSE(pat->contains("DurationInMinutes"));  // Salesforce derives it
  EXPECT_EQ(pat->at("IsAllDayEvent"), false);
  EXPECT_EQ(pat->at("Location"), "Room e1");
  EXPECT_EQ(pat->at("Description"), "agenda of e1");
  rgsync::CalendarEvent e1;
  e1.id = "e1";
  e1.ical_uid = "ical-e1";
  EXPECT_EQ(pat->at("RG_Event_Id__c").as_string(),
            rgsync::event_external_id("ana@contoso.com", e1));

  // The window: 14 days back and ahead of today (2026-12-01), in UTC; times asked in UTC.
  ASSERT_FALSE(world_.calendar_urls.empty());
  EXPECT_EQ(query_param(world_.calendar_urls[0], "startDateTime"), "2026-11-17T00:00:00Z");
  EXPECT_EQ(query_param(world_.calendar_urls[0], "endDateTime"), "2026-12-16T00:00:00Z");
  ASSERT_FALSE(world_.calendar_prefer.empty());
  EXPECT_NE(world_.calendar_prefer[0].find(R"(outlook.timezone="UTC")"), std::string::npos);
  EXPECT_EQ(host_.state_value("delta/ana@contoso.com/calendarView"),
            std::string(kGraph) + "/v1.0/users/ana@contoso.com/calendarView/delta?$deltatoken=4");

  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("events").as_int64(), 4);
  EXPECT_EQ(summary.at("events_upserted").as_int64(), 2);
  EXPECT_EQ(summary.at("events_removed").as_int64(), 0);
  EXPECT_EQ(subject("ana@contoso.com").detail,
            "synced 4 message(s), 2 task(s), 4 event(s), 2 Salesforce Event(s)");

  // The next sync reads from the delta link: nothing new, nothing written again.
  const int upserts = world_.upsert_calls;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.upsert_calls, upserts);
  EXPECT_EQ(boost::json::parse(r.output).at("events").as_int64(), 0);
  EXPECT_EQ(world_.calendar_urls.back(),
            std::string(kGraph) + "/v1.0/users/ana@contoso.com/calendarView/delta?$deltatoken=4");
}

TEST_F(RgSyncTest, RemovedMeetingsAreCountedAndTheirEventsStay) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.calendar["ana@contoso.com"].push_back(
      {{"id", "e1"}, {"@removed", {{"reason", "deleted"}}}});
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("events_removed").as_int64(), 1);
  EXPECT_EQ(world_.sf_events.size(), 1u);
}

TEST_F(RgSyncTest, TheWindowSlidesAfterADayAndReReadsWithoutDuplicates) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ClockedRgSync::now_for_test = kNoon + std::chrono::hours{10};  // same window still
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "$deltatoken"), "1");
  ClockedRgSync::now_for_test = kNoon + std::chrono::hours{49};  // start > 1 day too old
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "startDateTime"), "2026-11-19T00:00:00Z");
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "endDateTime"), "2026-12-18T00:00:00Z");
  EXPECT_EQ(world_.sf_events.size(), 1u);  // re-read onto the same Event
  EXPECT_EQ(boost::json::parse(r.output).at("events_upserted").as_int64(), 1);
  EXPECT_EQ(host_.state_value("window/ana@contoso.com/calendarView"), "2026-11-19T00:00:00Z");
}

TEST_F(RgSyncTest, AnExpiredCalendarTokenStartsANewRound) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_delta_tokens = true;
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("resyncs").as_int64(), 2);  // inbox and calendar
  EXPECT_EQ(world_.sf_events.size(), 1u);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
}

TEST_F(RgSyncTest, CalendarFalseReadsNoCalendar) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"calendar":false)")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(world_.calendar_urls.empty());
  EXPECT_TRUE(world_.sf_events.empty());
  EXPECT_EQ(subject("ana@contoso.com").detail, "synced 4 message(s), 2 task(s)");
}

}  // namespace
}  // namespace rgsync_test
