// A small W3C WebDriver client for the browser tests: starts Debian's chromedriver on a free
// loopback port, opens one headless Chromium session (temp profile, --no-sandbox as root) and
// speaks the WebDriver protocol over HTTP with the peers' libcurl test client. Every wait is a
// bounded loop on a condition (hang guard), never a timing assertion.
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"

namespace chost::e2e {

// Paths of chromedriver and the Chromium binary when both are installed, else nullopt and
// `why` says what is missing.
struct BrowserPaths {
  std::string chromedriver;
  std::string chromium;
};
std::optional<BrowserPaths> find_browser(std::string* why);

class WebDriver {
 public:
  // Starts chromedriver in `dir` and a session with a window of `width` x `height`. Check
  // ok() (and error()) before use.
  WebDriver(const BrowserPaths& paths, const std::filesystem::path& dir, int width, int height);
  ~WebDriver();  // deletes the session, stops chromedriver

  bool ok() const { return !session_.empty(); }
  const std::string& error() const { return error_; }

  void navigate(const std::string& url);
  void set_window_size(int width, int height);
  // A phone's viewport (`width` CSS pixels, touch, mobile layout) through Chromium's DevTools
  // emulation: a desktop window cannot be made narrower than 500 px.
  void emulate_phone(int width, int height);
  // Element reference of the first match of a CSS selector, or empty.
  std::string find(const std::string& css);
  void click(const std::string& element);
  void send_keys(const std::string& element, const std::string& text);
  std::string text(const std::string& element);
  // Runs `script` (a function body; arguments as `arguments[i]`) in the page; its return value.
  boost::json::value execute(const std::string& script, boost::json::array args = {});
  // The rendered text of the page (document.body.innerText).
  std::string page_text();
  // Polls `script` (which returns a boolean) until it is true, within `timeout_ms`.
  bool wait_for(const std::string& script, int timeout_ms, boost::json::array args = {});
  // Polls until the first element matching `css` shows `text` (innerText contains it).
  bool wait_for_text(const std::string& css, const std::string& text, int timeout_ms);
  void click_css(const std::string& css);  // finds (waiting up to 10 s) and clicks

  std::vector<std::string> window_handles();
  std::string window_handle();
  void switch_to_window(const std::string& handle);
  void close_window();

  // Saves a PNG of the current viewport.
  bool screenshot(const std::filesystem::path& png);

 private:
  boost::json::value call(const std::string& method, const std::string& path,
                          const boost::json::value& body = nullptr);

  std::unique_ptr<integration::HostProcess> driver_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> http_;
  std::string session_;
  std::string error_;
};

}  // namespace chost::e2e
