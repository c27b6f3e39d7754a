// messages delta per mail folder: a full round paged by Prefer: odata.maxpagesize, an
// incremental round with new, changed and removed messages, $select, retried links, 410 for
// expired delta tokens, and the mailbox errors (unknown user, unknown folder).
#include <set>

#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

TEST_F(GraphPeerTest, FullRoundPagesThenIncrementalRoundReportsOnlyChanges) {
  std::string token = Token();
  HttpResult first = Get(MessagesDelta(kAlice, "inbox"), token, {"Prefer: odata.maxpagesize=2"});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Header("Preference-Applied"), "odata.maxpagesize=2");
  json::value page = first.Json();
  EXPECT_EQ(Str(page, "@odata.context"), peer_->base_url() + "/v1.0/$metadata#Collection(message)");
  EXPECT_NE(Str(page, "@odata.nextLink").find("/messages/delta?$skiptoken="), std::string::npos);
  json::value m = page.at("value").at(0);
  EXPECT_EQ(Str(m, "@odata.type"), "#microsoft.graph.message");
  EXPECT_EQ(Str(m, "subject"), "Webinar invite");  // newest first
  for (const char* field :
       {"id", "subject", "bodyPreview", "receivedDateTime", "sentDateTime", "conversationId",
        "internetMessageId", "parentFolderId", "lastModifiedDateTime", "@odata.etag"}) {
    EXPECT_TRUE(m.as_object().contains(field)) << field;
  }
  EXPECT_EQ(Str(m.at("from").at("emailAddress"), "address"), "events@northwind.example");
  EXPECT_EQ(Str(m.at("body"), "contentType"), "text");
  EXPECT_FALSE(m.at("isDraft").as_bool());
  EXPECT_TRUE(m.at("bccRecipients").is_array());

  DeltaRoundResult full = RunDelta(MessagesDelta(kAlice, "inbox"), token, 2);
  EXPECT_EQ(full.pages, 3);
  EXPECT_EQ(full.items.size(), 5u);
  ASSERT_NE(full.delta_link.find("$deltatoken="), std::string::npos) << full.delta_link;
  std::string renewal_id, lunch_id;
  for (const auto& item : full.items) {
    if (Str(item, "subject") == "Renewal question") {
      renewal_id = Str(item, "id");
      EXPECT_EQ(Str(item, "bodyPreview"), "Can we talk about the renewal?");
    }
    if (Str(item, "subject") == "Lunch?") lunch_id = Str(item, "id");
  }
  ASSERT_FALSE(renewal_id.empty());

  json::value added = Control("POST", "users/alice@contoso.example/mailFolders/inbox/messages",
                              json::object{{"subject", "New lead"},
                                           {"from", "kim@contoso-lead.example"},
                                           {"body", "Interested in a demo."}});
  std::string new_id(added.at("ids").at(0).as_string());
  Control("DELETE", "users/" + std::string(kAlice) + "/messages/" + renewal_id);
  Control("PATCH", "users/" + std::string(kAlice) + "/messages/" + lunch_id,
          json::object{{"isRead", true}});

  DeltaRoundResult changes = RunDelta(full.delta_link, token, 10);
  ASSERT_EQ(changes.items.size(), 3u);
  std::set<std::string> seen;
  for (const auto& item : changes.items) {
    const json::object& o = item.as_object();
    if (o.contains("@removed")) {
      EXPECT_EQ(Str(item, "id"), renewal_id);
      EXPECT_EQ(Str(o.at("@removed"), "reason"), "deleted");
      seen.insert("removed");
    } else if (Str(item, "id") == new_id) {
      EXPECT_EQ(Str(item, "subject"), "New lead");
      seen.insert("new");
    } else {
      EXPECT_EQ(Str(item, "id"), lunch_id);
      EXPECT_TRUE(o.at("isRead").as_bool());
      seen.insert("changed");
    }
  }
  EXPECT_EQ(seen.size(), 3u);
  DeltaRoundResult quiet = RunDelta(changes.delta_link, token, 10);
  EXPECT_TRUE(quiet.items.empty());
  EXPECT_FALSE(quiet.delta_link.empty());
  // A delta link may be used again: it still reports the same changes.
  EXPECT_EQ(RunDelta(full.delta_link, token, 10).items.size(), 3u);
}

TEST_F(GraphPeerTest, SelectTrimsPropertiesAndIsCarriedByTheLinks) {
  std::string token = Token();
  DeltaRoundResult round =
      RunDelta(MessagesDelta(kAlice, "sentitems") + "?$select=subject,from", token, 1);
  ASSERT_EQ(round.items.size(), 2u);
  for (const auto& item : round.items) {
    const json::object& o = item.as_object();
    EXPECT_TRUE(o.contains("id"));
    EXPECT_TRUE(o.contains("subject"));
    EXPECT_TRUE(o.contains("from"));
    EXPECT_FALSE(o.contains("body"));
    EXPECT_EQ(Str(o.at("from").at("emailAddress"), "address"), "alice@contoso.example");
  }
}

TEST_F(GraphPeerTest, PreferTextBodyConvertsHtmlBodies) {
  std::string token = Token();
  HttpResult r = Get(MessagesDelta(kAlice, "inbox"), token,
                     {"Prefer: odata.maxpagesize=10, outlook.body-content-type=\"text\""});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Preference-Applied"),
            "odata.maxpagesize=10, outlook.body-content-type=\"text\"");
  std::string id;
  json::value page = r.Json();
  for (const auto& m : page.at("value").as_array()) {
    EXPECT_EQ(Str(m.at("body"), "contentType"), "text");
    if (Str(m, "subject") == "Renewal question") {
      EXPECT_EQ(Str(m.at("body"), "content"), "Can we talk about the renewal?");
      id = Str(m, "id");
    }
  }
  HttpResult html = Get("/v1.0/users/" + std::string(kAlice) + "/messages/" + id, token);
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_EQ(Str(html.Json().at("body"), "contentType"), "html");
  HttpResult missing = Get("/v1.0/users/" + std::string(kAlice) + "/messages/AAMkADnope", token);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Str(missing.Json().at("error"), "code"), "ErrorItemNotFound");
}

TEST_F(GraphPeerTest, RetriedNextLinkReturnsTheSamePage) {
  std::string token = Token();
  HttpResult first = Get(MessagesDelta(kAlice, "inbox"), token, {"Prefer: odata.maxpagesize=2"});
  std::string next = Str(first.Json(), "@odata.nextLink");
  HttpResult a = Get(next, token, {"Prefer: odata.maxpagesize=2"});
  HttpResult b = Get(next, token, {"Prefer: odata.maxpagesize=2"});
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.Json().at("value"), b.Json().at("value"));
}

TEST_F(GraphPeerTest, MovedMessageIsRemovedFromItsFolderAndNewInTheOther) {
  std::string token = Token();
  DeltaRoundResult inbox = RunDelta(MessagesDelta(kAlice, "inbox"), token, 10);
  DeltaRoundResult drafts = RunDelta(MessagesDelta(kAlice, "drafts"), token, 10);
  EXPECT_TRUE(drafts.items.empty());
  std::string id = Str(inbox.items.at(0), "id");
  json::value moved = Control("POST", "users/" + std::string(kAlice) + "/messages/" + id + "/move",
                              json::object{{"destinationId", "drafts"}});
  std::string new_id = Str(moved, "id");
  EXPECT_NE(new_id, id);
  DeltaRoundResult out = RunDelta(inbox.delta_link, token, 10);
  ASSERT_EQ(out.items.size(), 1u);
  EXPECT_EQ(Str(out.items[0], "id"), id);
  EXPECT_TRUE(out.items[0].as_object().contains("@removed"));
  DeltaRoundResult in = RunDelta(drafts.delta_link, token, 10);
  ASSERT_EQ(in.items.size(), 1u);
  EXPECT_EQ(Str(in.items[0], "id"), new_id);
}

TEST_F(GraphPeerTest, ExpiredDeltaTokenAnswers410WithTheInitialQueryAsLocation) {
  std::string token = Token();
  std::string url = MessagesDelta(kAlice, "inbox") + "?$select=subject";
  DeltaRoundResult round = RunDelta(url, token, 10);
  HttpResult mid = Get(MessagesDelta(kAlice, "inbox"), token, {"Prefer: odata.maxpagesize=1"});
  std::string next = Str(mid.Json(), "@odata.nextLink");
  json::value expired = Control(
      "POST", "delta/expire", json::object{{"user", "alice@contoso.example"}, {"folder", "inbox"}});
  EXPECT_GE(expired.at("expired").as_int64(), 2);
  HttpResult gone = Get(round.delta_link, token);
  EXPECT_EQ(gone.status, 410) << gone.body;
  json::value error = gone.Json().at("error");
  EXPECT_EQ(Str(error, "code"), "syncStateNotFound");
  EXPECT_EQ(Str(error, "message"),
            "The sync state generation is not found. The delta token is expired and data must be "
            "synchronized again.");
  EXPECT_TRUE(error.at("innerError").as_object().contains("request-id"));
  EXPECT_EQ(gone.Header("Location"),
            round.delta_link.substr(0, round.delta_link.find('?')) + "?$select=subject");
  EXPECT_EQ(Get(next, token).status, 410);
  // A fresh initial round works, and tokens of other folders were untouched.
  DeltaRoundResult again = RunDelta(url, token, 10);
  EXPECT_EQ(again.items.size(), 5u);
  DeltaRoundResult sent = RunDelta(MessagesDelta(kAlice, "sentitems"), token, 10);
  Control("POST", "delta/expire", json::object{{"code", "resyncRequired"}});
  HttpResult resync = Get(sent.delta_link, token);
  EXPECT_EQ(resync.status, 410);
  EXPECT_EQ(Str(resync.Json().at("error"), "code"), "resyncRequired");
  // An unknown (e.g. pre-restart) token is treated the same way.
  EXPECT_EQ(Get(MessagesDelta(kAlice, "inbox") + "?$deltatoken=bogus", token).status, 410);
}

TEST_F(GraphPeerTest, SdkStylePathsAreAccepted) {
  std::string token = Token();
  HttpResult r =
      Get("/v1.0/users('alice%40contoso.example')/mailFolders('Inbox')/messages/"
          "microsoft.graph.delta()",
          token);
  // "microsoft.graph.delta()" normalises to the function name with an empty key.
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("value").as_array().size(), 5u);
}

TEST_F(GraphPeerTest, UnknownUserAndUnknownFolderErrors) {
  std::string token = Token();
  HttpResult user = Get(MessagesDelta("ghost@contoso.example", "inbox"), token);
  EXPECT_EQ(user.status, 404);
  EXPECT_EQ(Str(user.Json().at("error"), "code"), "ErrorInvalidUser");
  HttpResult folder = Get(MessagesDelta(kAlice, "AQMkADnope"), token);
  EXPECT_EQ(folder.status, 404);
  EXPECT_EQ(Str(folder.Json().at("error"), "code"), "ErrorItemNotFound");
  EXPECT_EQ(Str(folder.Json().at("error"), "message"),
            "The specified object was not found in the store.");
  HttpResult no_mailbox =
      Get(MessagesDelta("dave@contoso.example", "inbox"), Token(kAdminAppId, kAdminSecret));
  EXPECT_EQ(no_mailbox.status, 404);
  EXPECT_EQ(Str(no_mailbox.Json().at("error"), "code"), "MailboxNotEnabledForRESTAPI");
}

}  // namespace
}  // namespace chpeer::graph::testing
