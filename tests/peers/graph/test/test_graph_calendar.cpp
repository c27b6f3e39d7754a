// calendarView delta: the window from startDateTime/endDateTime, paging, the event resource
// and an incremental round (new, deleted, moved out of the window).
#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

std::string MarchView(const std::string& user) {
  return "/v1.0/users/" + user +
         "/calendarView/delta?startDateTime=2024-03-01T00:00:00Z&endDateTime=2024-04-01T00:00:00Z";
}

TEST_F(GraphPeerTest, CalendarViewDeltaReturnsEventsInTheWindow) {
  std::string token = Token();
  DeltaRoundResult round = RunDelta(MarchView(kAlice), token, 1);
  EXPECT_EQ(round.pages, 2);
  ASSERT_EQ(round.items.size(), 2u);  // the April kickoff is outside the window
  const json::value& call = round.items[0];
  EXPECT_EQ(Str(call, "@odata.type"), "#microsoft.graph.event");
  EXPECT_EQ(Str(call, "subject"), "Renewal call");
  EXPECT_EQ(Str(call.at("start"), "dateTime"), "2024-03-05T10:00:00.0000000");
  EXPECT_EQ(Str(call.at("start"), "timeZone"), "UTC");
  EXPECT_EQ(Str(call.at("end"), "dateTime"), "2024-03-05T10:30:00.0000000");
  EXPECT_EQ(Str(call.at("organizer").at("emailAddress"), "address"), "alice@contoso.example");
  const json::value& attendee = call.at("attendees").at(0);
  EXPECT_EQ(Str(attendee, "type"), "required");
  EXPECT_EQ(Str(attendee.at("status"), "response"), "none");
  EXPECT_EQ(Str(attendee.at("emailAddress"), "address"), "pat@fabrikam.example");
  EXPECT_FALSE(call.at("isCancelled").as_bool());
  EXPECT_FALSE(Str(call, "iCalUId").empty());
  EXPECT_EQ(Str(call, "bodyPreview"), "Discuss renewal terms.");
  EXPECT_FALSE(Str(call, "lastModifiedDateTime").empty());
  EXPECT_NE(round.delta_link.find("/calendarView/delta?$deltatoken="), std::string::npos);
}

TEST_F(GraphPeerTest, CalendarViewIncrementalRoundReportsNewAndRemovedEvents) {
  std::string token = Token();
  DeltaRoundResult round = RunDelta(MarchView(kAlice), token, 10);
  ASSERT_EQ(round.items.size(), 2u);
  std::string renewal = Str(round.items[0], "id");
  std::string pipeline = Str(round.items[1], "id");
  std::string user = "users/" + std::string(kAlice) + "/events";
  json::value added = Control(
      "POST", user,
      json::object{
          {"subject", "Demo"}, {"start", "2024-03-20T13:00:00Z"}, {"end", "2024-03-20T14:00:00Z"}});
  Control("POST", user,
          json::object{{"subject", "Outside"},
                       {"start", "2024-05-01T13:00:00Z"},
                       {"end", "2024-05-01T14:00:00Z"}});
  Control("DELETE", user + "/" + renewal);
  Control("PATCH", user + "/" + pipeline,
          json::object{{"start", "2024-04-10T15:00:00Z"}, {"end", "2024-04-10T16:00:00Z"}});
  DeltaRoundResult changes = RunDelta(round.delta_link, token, 10);
  ASSERT_EQ(changes.items.size(), 3u);
  int removed = 0;
  for (const auto& item : changes.items) {
    if (item.as_object().contains("@removed")) {
      ++removed;
      EXPECT_TRUE(Str(item, "id") == renewal || Str(item, "id") == pipeline);
    } else {
      EXPECT_EQ(Str(item, "id"), std::string(added.at("ids").at(0).as_string()));
    }
  }
  EXPECT_EQ(removed, 2);
}

TEST_F(GraphPeerTest, CalendarViewDeltaNeedsAWindow) {
  HttpResult r = Get("/v1.0/users/" + std::string(kAlice) + "/calendarView/delta", Token());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(r.Json().at("error"), "code"), "ErrorInvalidParameter");
}

}  // namespace
}  // namespace chpeer::graph::testing
