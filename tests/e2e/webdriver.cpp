// WebDriver client over the W3C protocol (see webdriver.hpp).
#include "webdriver.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <fstream>

namespace chost::e2e {
namespace {

namespace json = boost::json;

// The W3C element reference key (WebDriver §12.1).
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

// Screenshots come as standard base64 (RFC 4648 §4). Test-only: the host has no decoder.
std::string base64_decode(std::string_view in) {
  std::array<int, 256> value{};
  value.fill(-1);
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = i;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) continue;  // padding and line breaks
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::optional<BrowserPaths> find_browser(std::string* why) {
  BrowserPaths paths;
  for (const char* p : {"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"}) {
    if (executable(p)) {
      paths.chromedriver = p;
      break;
    }
  }
  // Debian's /usr/bin/chromium is a wrapper script; chromedriver wants the binary itself.
  for (const char* p : {"/usr/lib/chromium/chromium", "/usr/bin/chromium"}) {
    if (executable(p)) {
      paths.chromium = p;
      break;
    }
  }
  if (paths.chromedriver.empty() || paths.chromium.empty()) {
    *why =
        "no headless browser here: install Debian's chromium and chromium-driver "
        "(scripts/install-deps) to run the admin page's browser tests";
    return std::nullopt;
  }
  return paths;
}

WebDriver::WebDriver(const BrowserPaths& paths, const std::filesystem::path& dir, int width,
                     int height) {
  const uint16_t port = integration::free_port();
  driver_ = std::make_unique<integration::HostProcess>(
      dir, std::vector<std::string>{"--port=" + std::to_string(port), "--allowed-ips=127.0.0.1"},
      "chromedriver", paths.chromedriver);
  http_ =
      std::make_unique<chpeer::testing::PeerHttpClient>("http://127.0.0.1:" + std::to_string(port));
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {  // bounded: 20 s
    auto r = http_->Get("/status");
    ready = r.status == 200 && r.Json().is_object() && r.Json().at("value").at("ready").as_bool();
    if (!ready) usleep(100 * 1000);
  }
  if (!ready) {
    error_ = "chromedriver did not start: " + driver_->err();
    return;
  }
  const std::filesystem::path profile = dir / "chromium-profile";
  std::filesystem::create_directories(profile);
  json::array args{"--headless=new",
                   "--no-sandbox",  // root in containers has no user namespace sandbox
                   "--disable-gpu",
                   "--disable-dev-shm-usage",
                   "--no-first-run",
                   "--no-default-browser-check",
                   "--hide-scrollbars",
                   "--force-device-scale-factor=1",
                   "--user-data-dir=" + profile.string(),
                   "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
  json::object caps{
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions", {{"binary", paths.chromium}, {"args", std::move(args)}}}}}}}};
  auto r = http_->SendJson("POST", "/session", caps);
  json::value v = r.Json();
  if (r.status != 200 || !v.is_object()) {
    error_ = "chromedriver refused the session: HTTP " + std::to_string(r.status) + " " + r.body;
    return;
  }
  session_ = std::string(v.at("value").at("sessionId").as_string());
  set_window_size(width, height);
}

WebDriver::~WebDriver() {
  if (!session_.empty()) http_->Request("DELETE", "/session/" + session_, "", {});
  if (driver_) {
    driver_->signal(SIGTERM);
    driver_->wait_exit(10000);
  }
}

json::value WebDriver::call(const std::string& method, const std::string& path,
                            const json::value& body) {
  const std::string url = "/session/" + session_ + path;
  chpeer::testing::HttpResult r =
      method == "GET" ? http_->Get(url)
                      : http_->SendJson(method, url, body.is_null() ? json::object{} : body);
  json::value v = r.Json();
  if (r.status != 200 || !v.is_object()) {
    ADD_FAILURE() << "WebDriver " << method << " " << path << ": HTTP " << r.status << " "
                  << r.body.substr(0, 600);
    return nullptr;
  }
  return v.at("value");
}

void WebDriver::navigate(const std::string& url) {
  call("POST", "/url", json::object{{"url", url}});
}

void WebDriver::set_window_size(int width, int height) {
  // The rect is the outer window; grow it by the browser's own frame so the page gets
  // `width` x `height` CSS pixels.
  call("POST", "/window/rect", json::object{{"width", width}, {"height", height}});
  json::value frame = execute(
      "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];");
  if (frame.is_array() && frame.as_array().size() == 2) {
    const int64_t dw = frame.as_array()[0].to_number<int64_t>();
    const int64_t dh = frame.as_array()[1].to_number<int64_t>();
    if (dw > 0 || dh > 0) {
      call("POST", "/window/rect", json::object{{"width", width + dw}, {"height", height + dh}});
    }
  }
}

void WebDriver::emulate_phone(int width, int height) {
  call("POST", "/goog/cdp/execute",
       json::object{
           {"cmd", "Emulation.setDeviceMetricsOverride"},
           {"params",
            {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", true}}}});
}

std::string WebDriver::find(const std::string& css) {
  // findElement answers 404 "no such element" when nothing matches: ask through script
  // instead so a missing element is a value, not a protocol failure.
  json::value v = execute("return document.querySelector(arguments[0]);", json::array{css});
  if (!v.is_object()) return "";
  const json::value* id = v.as_object().if_contains(kElementKey);
  return id && id->is_string() ? std::string(id->as_string()) : "";
}

void WebDriver::click(const std::string& element) {
  call("POST", "/element/" + element + "/click");
}

void WebDriver::send_keys(const std::string& element, const std::string& text) {
  call("POST", "/element/" + element + "/value", json::object{{"text", text}});
}

std::string WebDriver::text(const std::string& element) {
  json::value v = call("GET", "/element/" + element + "/text");
  return v.is_string() ? std::string(v.as_string()) : "";
}

json::value WebDriver::execute(const std::string& script, json::array args) {
  return call("POST", "/execute/sync", json::object{{"script", script}, {"args", std::move(args)}});
}

std::string WebDriver::page_text() {
  json::value v = execute("return document.body.innerText;");
  return v.is_string() ? std::string(v.as_string()) : "";
}

bool WebDriver::wait_for(const std::string& script, int timeout_ms, json::array args) {
  for (int waited = 0; waited <= timeout_ms; waited += 100) {
    json::value v = execute(script, args);
    if (v.is_bool() && v.as_bool()) return true;
    usleep(100 * 1000);
  }
  return false;
}

bool WebDriver::wait_for_text(const std::string& css, const std::string& text, int timeout_ms) {
  return wait_for(
      "const e = document.querySelector(arguments[0]);"
      "return !!e && e.innerText.includes(arguments[1]);",
      timeout_ms, json::array{css, text});
}

void WebDriver::click_css(const std::string& css) {
  // The page re-renders on every poll, so an element found by one command can be stale by the
  // next: find and click in one script (the page's own click handler runs, as for a user).
  const bool clicked = wait_for(
      "const e = document.querySelector(arguments[0]);"
      "if (!e || e.disabled) return false; e.scrollIntoView({block: 'center'}); e.click();"
      "return true;",
      10000, json::array{css});
  if (!clicked) ADD_FAILURE() << "no enabled element matches " << css;
}

std::vector<std::string> WebDriver::window_handles() {
  std::vector<std::string> out;
  json::value v = call("GET", "/window/handles");
  if (v.is_array()) {
    for (const auto& h : v.as_array()) out.emplace_back(h.as_string());
  }
  return out;
}

std::string WebDriver::window_handle() {
  json::value v = call("GET", "/window");
  return v.is_string() ? std::string(v.as_string()) : "";
}

void WebDriver::switch_to_window(const std::string& handle) {
  call("POST", "/window", json::object{{"handle", handle}});
}

void WebDriver::close_window() { call("DELETE", "/window"); }

bool WebDriver::screenshot(const std::filesystem::path& png) {
  json::value v = call("GET", "/screenshot");
  if (!v.is_string()) return false;
  std::filesystem::create_directories(png.parent_path());
  std::ofstream out(png, std::ios::binary | std::ios::trunc);
  const std::string bytes = base64_decode(v.as_string());
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out.good() && bytes.size() > 8 && bytes.compare(1, 3, "PNG") == 0;
}

}  // namespace chost::e2e
