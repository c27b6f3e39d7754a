// The admin page's static files (host/src/admin/page/), compiled into the binary at build time by
// embed_page.cmake: the page needs no files beside the binary and loads nothing from elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace chost::admin {

struct PageAsset {
  std::string_view name;          // file name under page/, e.g. "page.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view bytes;
};

// Every file of the page, in the order embed_page.cmake was given them.
std::span<const PageAsset> page_assets();

}  // namespace chost::admin
