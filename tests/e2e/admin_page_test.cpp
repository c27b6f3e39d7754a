// The admin page in a real headless Chromium (chromedriver, W3C WebDriver) against the real
// connector-host binary, the salesforce and rg-sync plugins, the local Salesforce peer and the
// local Microsoft Graph peer. The seed articles' scenario, step by step, with a screenshot of
// each under build/<preset>/artifacts/admin-page/:
//   sign in with the admin token; "Log in with Salesforce" in the OAuth window -> Connected as
//   the integration user; users Enabled; the peer kills the refresh token -> Disconnected, users
//   "Disabled due to an error" with invalid_grant; "Refresh" -> log in again -> Connected,
//   users Enabled; Disable / Enable; one user disabled; Connectors; phone width without
//   horizontal overflow. The card names the environment (the peer plays a sandbox org) and
//   shows the credential history; a webhook receiver in the test sees connection.disconnected
//   and connection.recovered exactly once each, signed. Skips only when no browser is
//   installed.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "../unit/http/loopback_server.hpp"
#include "chost/runtime/webhook_signature.hpp"
#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"
#include "loopback_http.hpp"
#include "salesforce_peer_support.hpp"
#include "webdriver.hpp"

namespace chost::e2e {
namespace {

namespace json = boost::json;
using http::testing::CannedResponse;
using http::testing::LoopbackServer;
using http::testing::ReceivedRequest;
using integration::HostProcess;
using integration::TempDir;

constexpr int kWaitMs = 60000;  // hang guard only
constexpr int kUsers = 30;      // more than one page of the Users table (25)
constexpr const char* kAdminToken = "e2e-admin-token-5d1c0f2a9b";
constexpr const char* kSecret = "e2e-consumer-secret-0b7e";
constexpr const char* kGraphSecret = "e2e-graph-secret~41fe";
constexpr const char* kGraphClient = "11111111-2222-4333-8444-555555555555";
constexpr const char* kTenant = "contoso.example";
constexpr const char* kWebhookSecret = "e2e-webhook-secret-7c2d91";

std::string user_email(int i) {
  return "u" + std::string(i < 10 ? "0" : "") + std::to_string(i) + "@contoso.example";
}
std::string contact_email(int i) { return "pat" + std::to_string(i) + "@fabrikam.example"; }

class AdminPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto browser = find_browser(&why);
    if (!browser) GTEST_SKIP() << why;
    browser_ = *browser;
    std::filesystem::remove_all(E2E_ARTIFACTS_DIR);

    integration::SalesforcePeerForTest sf =
        integration::start_salesforce_peer(dir_, kSecret, kWaitMs);
    sf_process_ = std::move(sf.process);
    ASSERT_FALSE(sf.base_url.empty()) << sf_process_->err();
    sf_ = std::make_unique<chpeer::testing::PeerHttpClient>(sf.base_url);
    // The connected app sends the browser back to the admin server's own callback.
    admin_port_ = integration::free_port();
    admin_url_ = "http://127.0.0.1:" + std::to_string(admin_port_);
    json::object app = sf.app;
    app["redirect_uris"] = json::array{admin_url_ + "/oauth/callback"};
    ASSERT_EQ(sf_->SendJson("POST", "/__peer/apps", app).status, 200);
    seed_salesforce();
    start_graph();

    setenv("CHOST_IT_SF_KEY", std::string(64, 'e').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    setenv("CHOST_E2E_GRAPH_SECRET", kGraphSecret, 1);
    setenv("CHOST_E2E_ADMIN_TOKEN", kAdminToken, 1);
    setenv("CHOST_E2E_WEBHOOK_SECRET", kWebhookSecret, 1);
    receiver_ = std::make_unique<LoopbackServer>([](const ReceivedRequest&, size_t) {
      return CannedResponse{200, {}, ""};
    });
    std::string yaml = integration::salesforce_host_yaml(
        sf, "  admin: { listen: \"127.0.0.1:" + std::to_string(admin_port_) +
                "\", token: \"${env:CHOST_E2E_ADMIN_TOKEN}\" }\n"
                "  notify:\n"
                "    webhooks:\n"
                "      - name: ops\n"
                "        url: \"" +
                receiver_->url("/hooks/chost") +
                "\"\n"
                "        secret: \"${env:CHOST_E2E_WEBHOOK_SECRET}\"\n"
                "    initial_backoff: 100ms\n"
                "    max_backoff: 500ms\n");
    yaml.replace(yaml.find("name: crm"), 9, "name: sf-org");
    yaml +=
        "  - name: rg-sync\n"
        "    plugin: rg-sync\n"
        "    uses: sf-org\n"
        "    schedule: { every: 2s }\n"
        "    config:\n"
        "      graph_tenant_id: " +
        std::string(kTenant) + "\n      graph_client_id: \"" + kGraphClient +
        "\"\n"
        "      graph_client_secret: \"${env:CHOST_E2E_GRAPH_SECRET}\"\n"
        "      graph_login_url: \"" +
        graph_url_ + "\"\n      graph_url: \"" + graph_url_ +
        "\"\n"
        "      internal_domains: [contoso.example]\n"
        "      folders: [inbox]\n"
        "      users_where: \"Email LIKE '%@contoso.example'\"\n";
    dir_.write("host.yaml", yaml);
    host_ = std::make_unique<HostProcess>(
        dir_.path(), std::vector<std::string>{"run", "-c", "host.yaml"}, "host");
    ASSERT_TRUE(host_->wait_for_log("admin: listening on", kWaitMs)) << host_->err();
  }

  void TearDown() override {
    driver_.reset();
    for (HostProcess* p : {host_.get(), graph_process_.get(), sf_process_.get()}) {
      if (p) p->signal(SIGTERM);
    }
    if (host_) host_->wait_exit(kWaitMs);
  }

  void seed_salesforce() {
    json::array users;
    for (int i = 0; i < kUsers; ++i) {
      users.push_back({{"Username", user_email(i)},
                       {"FirstName", "User"},
                       {"LastName", std::to_string(i)},
                       {"Email", user_email(i)},
                       {"IsActive", true}});
    }
    json::array contacts;
    for (int i = 0; i < kUsers; ++i) {
      contacts.push_back({{"LastName", "Buyer " + std::to_string(i)},
                          {"Email", contact_email(i)},
                          {"AccountId", "0015g00000ACME1"}});
    }
    // The service account: API Enabled + View All Data and Create/Edit on Task and Event.
    // A sandbox: Organization.IsSandbox is what the card's environment comes from.
    json::object seed{
        {"org", {{"is_sandbox", true}, {"organization_type", "Enterprise Edition"}}},
        {"custom_fields",
         {{"Task", json::array{{{"name", "RG_Message_Id__c"},
                                {"type", "string"},
                                {"external_id", true},
                                {"unique", true}}}},
          {"Event", json::array{{{"name", "RG_Event_Id__c"},
                                 {"type", "string"},
                                 {"external_id", true},
                                 {"unique", true}}}}}},
        {"users", users},
        {"records",
         {{"Contact", contacts},
          {"PermissionSet", json::array{{{"Id", "0PS5g00000RGSVC"},
                                         {"Name", "RG_Service"},
                                         {"Label", "RG Service"},
                                         {"PermissionsApiEnabled", true},
                                         {"PermissionsViewAllData", true}}}},
          {"PermissionSetAssignment", json::array{{{"AssigneeId", "0055g00000INTEG"},
                                                   {"PermissionSetId", "0PS5g00000RGSVC"}}}},
          {"ObjectPermissions", json::array{{{"ParentId", "0PS5g00000RGSVC"},
                                             {"SobjectType", "Task"},
                                             {"PermissionsRead", true},
                                             {"PermissionsCreate", true},
                                             {"PermissionsEdit", true}},
                                            {{"ParentId", "0PS5g00000RGSVC"},
                                             {"SobjectType", "Event"},
                                             {"PermissionsRead", true},
                                             {"PermissionsCreate", true},
                                             {"PermissionsEdit", true}}}}}}};
    auto r = sf_->SendJson("POST", "/__peer/seed", seed);
    ASSERT_EQ(r.status, 200) << r.body;
    r = sf_->SendJson("POST", "/__peer/login_user",
                      json::object{{"username", "integration@demo.peer"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void start_graph() {
    json::array users;
    json::array mailboxes;
    for (int i = 0; i < kUsers; ++i) {
      users.push_back({{"userPrincipalName", user_email(i)},
                       {"mail", user_email(i)},
                       {"displayName", "User " + std::to_string(i)}});
      json::object message{{"subject", "Quote for u" + std::to_string(i)},
                           {"from", contact_email(i)},
                           {"toRecipients", json::array{user_email(i)}},
                           {"receivedDateTime", "2026-11-30T09:00:00Z"}};
      mailboxes.push_back({{"user", user_email(i)},
                           {"folders", json::array{{{"wellKnownName", "inbox"},
                                                    {"messages", json::array{message}}}}}});
    }
    json::object seed{{"tenant", {{"domains", json::array{kTenant}}}},
                      {"apps", json::array{{{"client_id", kGraphClient},
                                            {"client_secret", kGraphSecret},
                                            {"display_name", "rg-sync"},
                                            {"scoped_mailboxes", "all"}}}},
                      {"users", users},
                      {"mailboxes", mailboxes}};
    dir_.write("graph-seed.json", json::serialize(seed));
    graph_process_ = std::make_unique<HostProcess>(
        dir_.path(), std::vector<std::string>{"--port", "0", "--seed", "graph-seed.json"}, "graph",
        GRAPH_PEER_BIN);
    ASSERT_TRUE(graph_process_->wait_for_out("http://", kWaitMs)) << graph_process_->err();
    std::string out = graph_process_->out();
    out = out.substr(out.find("http://"));
    graph_url_ = out.substr(0, out.find_first_of("\r\n"));
  }

  WebDriver& browser(int width = 1280, int height = 800) {
    if (!driver_) {
      driver_ = std::make_unique<WebDriver>(browser_, dir_.path(), width, height);
      EXPECT_TRUE(driver_->ok()) << driver_->error();
    }
    return *driver_;
  }

  // Saves NN-name.png and remembers it for the summary.
  void shot(const std::string& name) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02d-", ++shots_);
    const std::filesystem::path png =
        std::filesystem::path(E2E_ARTIFACTS_DIR) / (prefix + name + ".png");
    EXPECT_TRUE(driver_->screenshot(png)) << png;
  }

  // The login window the page opened: waits for it, lets the peer's login land on the host's
  // callback, closes it and comes back to the page.
  void complete_login_window(const std::string& name) {
    WebDriver& b = *driver_;
    const std::string page = b.window_handle();
    std::string popup;
    for (int i = 0; i < kWaitMs / 100 && popup.empty(); ++i) {
      for (const std::string& h : b.window_handles()) {
        if (h != page) popup = h;
      }
      if (popup.empty()) usleep(100 * 1000);
    }
    ASSERT_FALSE(popup.empty()) << "the page opened no login window";
    b.switch_to_window(popup);
    ASSERT_TRUE(b.wait_for_text("body", "you can close this tab", kWaitMs)) << b.page_text();
    EXPECT_NE(b.page_text().find("Connected sf-org"), std::string::npos) << b.page_text();
    shot(name);
    b.close_window();
    b.switch_to_window(page);
  }

  bool card_shows(const std::string& text) {
    return driver_->wait_for_text("[data-connection=\"sf-org\"]", text, kWaitMs);
  }

  std::string card_text() {
    json::value v = driver_->execute(
        "const e = document.querySelector('[data-connection=\"sf-org\"]');"
        "return e ? e.innerText : '';");
    return v.is_string() ? std::string(v.as_string()) : "";
  }

  // Scrolls the connection's credential history into view (for its screenshot).
  void show_credential_history() {
    driver_->execute(
        "const e = document.querySelector("
        "'[data-connection=\"sf-org\"] [data-role=\"credential-history\"]');"
        "if (e) e.scrollIntoView({block: 'center'});");
  }

  // The webhook deliveries the receiver saw, by event, each checked as a receiver would.
  std::map<std::string, int> webhook_events() {
    std::map<std::string, int> seen;
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    for (const ReceivedRequest& r : receiver_->requests()) {
      boost::system::error_code ec;
      const json::value body = json::parse(r.body, ec);
      EXPECT_FALSE(ec) << r.body;
      if (ec || !body.is_object()) continue;
      EXPECT_EQ(r.header("Idempotency-Key").value_or(""), body.at("id").as_string());
      EXPECT_TRUE(runtime::verify_webhook_signature(
          kWebhookSecret, r.header("X-Chost-Signature").value_or(""), r.body, now_s, 300))
          << r.header("X-Chost-Signature").value_or("(none)");
      ++seen[std::string(body.at("event").as_string())];
    }
    return seen;
  }

  // Pending webhook deliveries in the host's queue (-1 when the API does not answer).
  int64_t notifications_pending() {
    const integration::HttpReply r =
        integration::loopback_http(admin_port_, "GET", "/api/v1/notifications", "", kAdminToken);
    boost::system::error_code ec;
    const json::value v = json::parse(r.body, ec);
    if (r.status != 200 || ec || !v.is_object()) return -1;
    const json::value* counts = v.as_object().if_contains("counts");
    const json::value* pending =
        counts && counts->is_object() ? counts->as_object().if_contains("pending") : nullptr;
    if (!pending || !pending->is_number()) return -1;
    boost::system::error_code number_ec;
    const int64_t n = pending->to_number<int64_t>(number_ec);
    return number_ec ? -1 : n;
  }

  // True when nothing is wider than the viewport (no horizontal scrolling).
  bool fits_width() {
    json::value v =
        driver_->execute("return document.documentElement.scrollWidth <= window.innerWidth;");
    return v.is_bool() && v.as_bool();
  }

  TempDir dir_;
  BrowserPaths browser_;
  std::unique_ptr<HostProcess> sf_process_;
  std::unique_ptr<HostProcess> graph_process_;
  std::unique_ptr<HostProcess> host_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> sf_;
  std::unique_ptr<WebDriver> driver_;
  std::unique_ptr<LoopbackServer> receiver_;
  std::string graph_url_;
  std::string admin_url_;
  uint16_t admin_port_ = 0;
  int shots_ = 0;
};

TEST_F(AdminPageTest, TheSeedScenarioFromLoginToOutageToRecovery) {
  WebDriver& b = browser();
  ASSERT_TRUE(b.ok());
  const std::string users_counts = "#users-counts";
  const std::string all = std::to_string(kUsers);

  // 1. The page asks for the token; the API refuses the browser without it.
  b.navigate(admin_url_ + "/");
  ASSERT_TRUE(b.wait_for_text("#sign-in", "Admin token", kWaitMs)) << b.page_text();
  json::value anonymous = b.execute(
      "const x = new XMLHttpRequest(); x.open('GET', '/api/v1/connectors', false); x.send();"
      "return x.status;");
  EXPECT_EQ(anonymous, 401);
  shot("sign-in");
  b.send_keys(b.find("#token"), "not-the-token");
  b.click_css("#sign-in-button");
  ASSERT_TRUE(b.wait_for_text("#sign-in-error", "refused", kWaitMs)) << b.page_text();
  b.send_keys(b.find("#token"), kAdminToken);
  b.click_css("#sign-in-button");
  ASSERT_TRUE(card_shows("Not connected")) << b.page_text();
  EXPECT_EQ(b.execute("return sessionStorage.getItem('chost.admin.token');"), kAdminToken);
  shot("connectivity-not-connected");

  // 2. Log in with Salesforce in the OAuth window: Connected as the integration user.
  b.click_css("[data-connection=\"sf-org\"] [data-action=\"login\"]");
  complete_login_window("oauth-window-connected");
  ASSERT_TRUE(card_shows("Connected")) << card_text();
  ASSERT_TRUE(card_shows("Integration User")) << card_text();
  EXPECT_NE(card_text().find("integration@demo.peer"), std::string::npos) << card_text();
  shot("connectivity-connected");
  // Who authorized it, in which environment: the peer plays a sandbox (Organization.IsSandbox).
  ASSERT_TRUE(card_shows("Sandbox \u00b7 Enterprise Edition")) << card_text();
  EXPECT_EQ(card_text().find("Production"), std::string::npos) << card_text();
  shot("connectivity-sandbox-environment");

  // 3. rg-sync syncs every user through the connection.
  b.click_css("#tab-users");
  ASSERT_TRUE(b.wait_for_text(users_counts, all + " Enabled", kWaitMs)) << b.page_text();
  EXPECT_TRUE(b.wait_for_text("#users-page",
                              "1\xE2\x80\x93"
                              "25 of " +
                                  all,
                              kWaitMs))
      << b.page_text();
  shot("users-enabled");

  // 4. The service account's refresh token dies at Salesforce.
  ASSERT_EQ(sf_->SendJson("POST", "/__peer/tokens/revoke", json::object{}).status, 200);
  b.click_css("#tab-connectivity");
  ASSERT_TRUE(card_shows("Disconnected")) << card_text();
  EXPECT_NE(card_text().find("invalid_grant"), std::string::npos) << card_text();
  shot("connectivity-disconnected");
  b.click_css("#tab-users");
  ASSERT_TRUE(b.wait_for_text(users_counts, all + " Disabled due to an error", kWaitMs))
      << b.page_text();
  b.click_css("#users-body tr[data-subject=\"" + user_email(3) + "\"]");
  ASSERT_TRUE(
      b.wait_for_text("#user-detail", "invalid_grant: expired access/refresh token", kWaitMs))
      << b.page_text();
  EXPECT_TRUE(b.wait_for_text("#user-detail", "Disabled due to an error", kWaitMs));
  shot("users-disabled-due-to-an-error");

  // 5. Refresh: the refresh token is dead, so the page has the admin log in again.
  b.click_css("#tab-connectivity");
  ASSERT_TRUE(card_shows("Refresh"));
  b.click_css("[data-connection=\"sf-org\"] [data-action=\"refresh\"]");
  complete_login_window("refresh-log-in-again");
  ASSERT_TRUE(card_shows("Connected")) << card_text();
  // The state badge and no reason line: the history below still names the outage.
  ASSERT_TRUE(
      b.wait_for("const c = document.querySelector('[data-connection=\"sf-org\"]');"
                 "return !!c && c.dataset.state === 'connected' &&"
                 " !c.querySelector('[data-role=\"reason\"]');",
                 kWaitMs))
      << card_text();
  shot("connectivity-reconnected");
  // The credential history: the first authorization, the refresh that failed with Salesforce's
  // words, and the second authorization; no secret in it.
  ASSERT_TRUE(driver_->wait_for_text(
      "[data-connection=\"sf-org\"] [data-role=\"credential-history\"]", "Refresh failed", kWaitMs))
      << card_text();
  {
    json::value h = b.execute(
        "const e = document.querySelector("
        "'[data-connection=\"sf-org\"] [data-role=\"credential-history\"]');"
        "return e ? e.innerText : '';");
    const std::string history = h.is_string() ? std::string(h.as_string()) : "";
    EXPECT_NE(history.find("invalid_grant"), std::string::npos) << history;
    size_t authorized = 0;
    for (size_t at = history.find("Authorized"); at != std::string::npos;
         at = history.find("Authorized", at + 1)) {
      ++authorized;
    }
    EXPECT_EQ(authorized, 2u) << history;
    EXPECT_EQ(history.find(kSecret), std::string::npos);
  }
  show_credential_history();
  shot("connectivity-credential-history");
  b.click_css("#tab-users");
  ASSERT_TRUE(b.wait_for_text(users_counts, all + " Enabled", kWaitMs)) << b.page_text();
  shot("users-enabled-again");

  // 6. Disable and Enable the connection.
  b.click_css("#tab-connectivity");
  b.click_css("[data-connection=\"sf-org\"] [data-action=\"disable\"]");
  ASSERT_TRUE(
      b.wait_for("return !!document.querySelector("
                 "'[data-connection=\"sf-org\"][data-state=\"disabled\"]');",
                 kWaitMs))
      << card_text();
  EXPECT_NE(card_text().find("Disabled"), std::string::npos);
  shot("connectivity-disabled");
  b.click_css("[data-connection=\"sf-org\"] [data-action=\"enable\"]");
  ASSERT_TRUE(
      b.wait_for("return !!document.querySelector("
                 "'[data-connection=\"sf-org\"][data-state=\"connected\"]');",
                 kWaitMs))
      << card_text();
  shot("connectivity-enabled");

  // 7. One user switched off by the admin.
  b.click_css("#tab-users");
  const std::string row = "#users-body tr[data-subject=\"" + user_email(0) + "\"]";
  b.click_css(row + " [data-action=\"disable\"]");
  ASSERT_TRUE(b.wait_for("return !!document.querySelector(arguments[0]);", kWaitMs,
                         json::array{row + "[data-status=\"Disabled\"]"}))
      << b.page_text();
  EXPECT_TRUE(b.wait_for_text(users_counts, "1 Disabled", kWaitMs)) << b.page_text();
  b.click_css(row);
  shot("users-one-disabled");
  // The status filter asks the host for that status only.
  b.execute(
      "const s = document.getElementById('users-status'); s.value = 'disabled';"
      "s.dispatchEvent(new Event('change'));");
  ASSERT_TRUE(b.wait_for_text("#users-page",
                              "1\xE2\x80\x93"
                              "1 of 1",
                              kWaitMs))
      << b.page_text();

  // 8. Connectors: schedule, last sync, summary; the write-back panel degrades while the host
  //    has no outbox API.
  b.click_css("#tab-connectors");
  ASSERT_TRUE(b.wait_for_text("[data-connector=\"rg-sync\"]", "every 2 s", kWaitMs))
      << b.page_text();
  // Until the host has the outbox API (404), the panel says so instead of failing.
  EXPECT_TRUE(
      b.wait_for("const e = document.querySelector("
                 "'[data-connector=\"rg-sync\"] [data-role=\"outbox\"]');"
                 "return !!e && e.textContent.includes('Write-back failures') &&"
                 "(e.textContent.includes('Not available') || e.textContent.includes('None')"
                 " || !!e.querySelector('[data-action=\"outbox-retry\"]'));",
                 kWaitMs))
      << b.page_text();
  EXPECT_TRUE(b.wait_for_text("[data-connector=\"rg-sync\"] [data-role=\"checkpoints\"]", "delta/",
                              kWaitMs))
      << b.page_text();
  shot("connectors");

  // 9. Phone width: every view fits without horizontal scrolling.
  b.emulate_phone(375, 800);
  ASSERT_TRUE(b.wait_for("return window.innerWidth === 375;", kWaitMs))
      << b.execute("return window.innerWidth;");
  for (const char* tab : {"connectivity", "users", "connectors"}) {
    b.click_css(std::string("#tab-") + tab);
    ASSERT_TRUE(b.wait_for("return document.body.dataset.loaded !== undefined;", kWaitMs));
    EXPECT_TRUE(
        b.wait_for("return document.documentElement.scrollWidth <= window.innerWidth;", kWaitMs))
        << tab << " overflows at 375 px";
    shot(std::string("phone-") + tab);
  }
  EXPECT_TRUE(fits_width());
  // No secret reached the page.
  const std::string text = b.page_text();
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(text.find(kGraphSecret), std::string::npos);

  // The webhook saw the outage and the recovery once each (Disable/Enable is neither).
  for (int i = 0; i < kWaitMs / 100 && notifications_pending() != 0; ++i) usleep(100 * 1000);
  EXPECT_EQ(notifications_pending(), 0);
  const std::map<std::string, int> events = webhook_events();
  EXPECT_EQ(events.count("connection.disconnected") ? events.at("connection.disconnected") : 0, 1);
  EXPECT_EQ(events.count("connection.recovered") ? events.at("connection.recovered") : 0, 1);
}

}  // namespace
}  // namespace chost::e2e
