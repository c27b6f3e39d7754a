// Colours for people (tty_style.hpp).
#include "tty_style.hpp"

#include <unistd.h>

#include <cstdlib>

namespace chost::cli {
namespace {

const char* colour_of(std::string_view state) {
  if (state == "connected" || state == "running" || state == "idle" || state == "active" ||
      state == "ok") {
    return "\033[32m";  // green
  }
  if (state == "failed" || state == "disconnected") return "\033[31m";  // red
  if (state == "disabled") return "\033[2m";                            // dim
  return "\033[33m";  // yellow: unauthorized, refreshing, suspended, backoff, ...
}

}  // namespace

bool use_colour(std::FILE* out) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  return isatty(fileno(out)) == 1;
}

std::string styled_state(std::string_view state, int width, bool colour) {
  std::string padded(state);
  if (static_cast<int>(padded.size()) < width) padded.append(width - padded.size(), ' ');
  if (!colour) return padded;
  // Only the word is coloured, so the padding keeps the columns aligned.
  return colour_of(state) + std::string(state) + "\033[0m" + padded.substr(state.size());
}

}  // namespace chost::cli
