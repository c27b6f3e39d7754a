// chp::salesforce::is_api_name: the one API-name check the salesforce plugin's config and its
// write-back both use.
#include <gtest/gtest.h>
#include <connector_host/sdk/salesforce/api_name.hpp>

#include <string>

namespace {

using chp::salesforce::is_api_name;
using chp::salesforce::kMaxApiNameChars;

TEST(ApiNameTest, AcceptsStandardCustomAndNamespacedNames) {
  EXPECT_TRUE(is_api_name("Account"));
  EXPECT_TRUE(is_api_name("Shift__c"));
  EXPECT_TRUE(is_api_name("rollworks__Shift_Log__c"));
  EXPECT_TRUE(is_api_name("External_Id_2__c"));
}

TEST(ApiNameTest, RejectsWhatCannotBeAName) {
  EXPECT_FALSE(is_api_name(""));
  EXPECT_FALSE(is_api_name("_Account"));
  EXPECT_FALSE(is_api_name("2Account"));
  EXPECT_FALSE(is_api_name("Account Name"));
  EXPECT_FALSE(is_api_name("Account/../Contact"));
  EXPECT_FALSE(is_api_name("Id,Name FROM User--"));
  EXPECT_FALSE(is_api_name("Acc\xC3\xA9ount"));
}

// The write-back copy had no length limit; the config copy had 80. Both now share the limit.
TEST(ApiNameTest, RejectsNamesLongerThanTheLimit) {
  EXPECT_TRUE(is_api_name(std::string(kMaxApiNameChars, 'A')));
  EXPECT_FALSE(is_api_name(std::string(kMaxApiNameChars + 1, 'A')));
}

}  // namespace
