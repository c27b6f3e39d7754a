// Typo suggestions: edit distance and the closeness threshold that decides "did you mean".
#include "suggest.hpp"

#include <gtest/gtest.h>

namespace chost::config {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("shedule", "schedule"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("enabeld", "enabled"), 2u);
}

TEST(Suggest, NearestWithinThreshold) {
  const std::vector<std::string> keys = {"schedule", "uses", "config", "enabled", "name"};
  EXPECT_EQ(nearest_name("shedule", keys), "schedule");
  EXPECT_EQ(nearest_name("use", keys), "uses");
  EXPECT_EQ(nearest_name("confgi", keys), "config");
  EXPECT_EQ(nearest_name("xyz", keys), std::nullopt);         // 3 letters: at most 1 edit
  EXPECT_EQ(nearest_name("timeout_ms", keys), std::nullopt);  // nothing close
  EXPECT_EQ(nearest_name("anything", {}), std::nullopt);
  EXPECT_EQ(did_you_mean("nmae", keys), "; did you mean 'name'?");
  EXPECT_EQ(did_you_mean("qqqqqqqq", keys), "");
}

}  // namespace
}  // namespace chost::config
