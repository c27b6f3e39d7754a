// HTML for the OAuth callback page (see callback_page.hpp).
#include "callback_page.hpp"

namespace chost::admin {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string callback_page(std::string_view title, std::string_view message) {
  std::string t = html_escape(title);
  std::string page =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>connector-host: ";
  page += t;
  page +=
      // The admin page's style sheet: the CSP allows no inline style.
      "</title><link rel=\"stylesheet\" href=\"/assets/page.css\"></head>\n"
      "<body><main><section class=\"panel narrow\"><h1>";
  page += t;
  page += "</h1><p>";
  page += html_escape(message);
  page += "</p></section></main></body></html>\n";
  return page;
}

}  // namespace chost::admin
