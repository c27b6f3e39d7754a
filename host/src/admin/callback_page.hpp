// The small HTML page a browser sees at the end of an OAuth flow (/oauth/callback).
#pragma once

#include <string>
#include <string_view>

namespace chost::admin {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// A self-contained page with a title and one paragraph; both are escaped here.
std::string callback_page(std::string_view title, std::string_view message);

}  // namespace chost::admin
