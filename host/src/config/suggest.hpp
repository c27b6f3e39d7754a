// "Did you mean ...?" for unknown keys and names: the candidate with the smallest edit distance,
// when it is close enough to plausibly be a typo.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chost::config {

size_t edit_distance(std::string_view a, std::string_view b);

// The nearest candidate, or nullopt when none is within the typo threshold (1 edit for words of
// up to 3 characters, 2 up to 6, then 3).
std::optional<std::string> nearest_name(std::string_view word,
                                        const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace chost::config
