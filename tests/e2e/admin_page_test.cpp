// The admin page in a real headless Chromium (chromedriver, W3C WebDriver) against the real
// connector-host binary, the salesforce and rg-sync plugins, the local Salesforce peer and the
// local Microsoft Graph peer. The seed articles' scenario, step by step, with a screenshot of
// each under build/<preset>/artifacts/admin-page/:
//   sign in with the admin token; "Log in with Salesforce" in the OAuth window -> Connected as
//   the integration user; users Enabled; the peer kills the refresh token -> Disconnected, users
//   "Disabled due to an error" with invalid_grant; "Refresh" -> log in again -> Connected,
//   users Enabled; Disable / Enable; one user disabled; Connectors; phone width without
//   horizontal overflow. Skips only when no browser is installed.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"
#include "salesforce_peer_support.hpp"
#include "webdriver.hpp"

namespace chost::e2e {
namespace {

namespace json = boost::json;
using integration::HostProcess;
using integration::TempDir;

constexpr int kWaitMs = 60000;  // hang guard only
constexpr int kUsers = 30;      // more than one page of the Users table (25)
constexpr const char* kAdminToken = "e2e-admin-token-5d1c0f2a9b";
constexpr const char* kSecret = "e2e-consumer-secret-0b7e";
constexpr const char* kGraphSecret = "e2e-graph-secret~41fe";
constexpr const char* kGraphClient = "11111111-2222-4333-8444-555555555555";
constexpr const char* kTenant = "contoso.example";

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
    std::string yaml = integration::salesforce_host_yaml(
        sf, "  admin: { listen: \"127.0.0.1:" + std::to_string(admin_port_) +
                "\", token: \"${env:CHOST_E2E_ADMIN_TOKEN}\" }\n");
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
    json::object seed{
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
  EXPECT_EQ(card_text().find("Disconnected"), std::string::npos) << card_text();
  shot("connectivity-reconnected");
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
}

}  // namespace
}  // namespace chost::e2e
