// The plain config reader against nlohmann: on every input it either gives
// exactly what the JSON parse gives or declines, and it declines nothing
// that iocell itself writes.
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iocell/core/config_store.hpp>

namespace iocell::core {
namespace {

// What parse_config's JSON path makes of the text (nullopt: it throws).
std::optional<PropertyValues> by_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto& props = j.contains("properties") ? j["properties"] : j;
  if (!props.is_object()) return std::nullopt;
  PropertyValues out;
  for (const auto& [k, v] : props.items())
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (!v.is_null()) out[k] = v.dump();
  return out;
}

void expect_agrees(const std::string& text, bool must_accept) {
  const auto plain = parse_plain_config(text);
  if (must_accept) ASSERT_TRUE(plain) << text;
  if (!plain) return;
  const auto json = by_json(text);
  ASSERT_TRUE(json) << "accepted what JSON refuses: " << text;
  EXPECT_EQ(*plain, *json) << text;
}

std::string written_by_iocell(const PropertyValues& values) { return render_config(values); }

TEST(ConfigParse, ReadsWhatIocellWrites) {
  std::mt19937 gen(7);
  const std::string alphabet = "abcXYZ019 _-.,:|/\\\"\t\n{}[]%";
  for (int round = 0; round < 300; ++round) {
    PropertyValues values;
    const int n = static_cast<int>(gen() % 12);
    for (int i = 0; i < n; ++i) {
      std::string k, v;
      for (unsigned c = gen() % 10 + 1; c > 0; --c) k += alphabet[gen() % alphabet.size()];
      for (unsigned c = gen() % 20; c > 0; --c) v += alphabet[gen() % alphabet.size()];
      values[k] = v;
    }
    expect_agrees(written_by_iocell(values), true);
    expect_agrees(nlohmann::json(values).dump(), true);  // the older flat form
  }
}

TEST(ConfigParse, AgreesWithJsonOrDeclines) {
  for (const std::string& text : {
           std::string(R"({})"),
           std::string(R"({"properties":{}})"),
           std::string(R"({"properties":{"a":"1","a":"2"}})"),
           std::string(R"({"properties":{"a":"1","a":null}})"),
           std::string(R"({"properties":{"a":null,"a":"x"}})"),
           std::string(R"({"properties":{"a":"1"},"properties":{"b":"2"}})"),
           std::string(R"({"config_version":1,"properties":{"tag":"www"}})"),
           std::string(R"({"tag":"www","config_version":1})"),
           std::string(R"({"properties":{"u":"\u0041\u00e9\ud83d\ude00"}})"),
           std::string(R"({"properties":{"notes":"caf)" "\xc3\xa9" R"("}})"),
           std::string(R"({"properties":{"n":5}})"),
           std::string(R"({"properties":"x"})"),
           std::string(R"({"properties":{"a":"1"}} trailing)"),
           std::string(R"({"properties":{"a":"1",}})"),
           std::string(R"({"properties":{"a":"1"})"),
           std::string(R"({"config_version":01,"properties":{}})"),
           std::string(R"({"properties":{"a":"\x"}})"),
           std::string("{\"properties\":{\"a\":\"tab\there\"}}"),
           std::string(""),
       })
    expect_agrees(text, false);
  EXPECT_FALSE(parse_plain_config(R"({"properties":{"n":5}})")) << "a number is left to the JSON parser";
  EXPECT_FALSE(parse_plain_config(R"({"properties":{"notes":"caf)" "\xc3\xa9" R"("}})")) << "non-ASCII is left to it";
  EXPECT_EQ(parse_plain_config(R"({"properties":{"a":"1","a":null}})")->count("a"), 0u);
  EXPECT_EQ(parse_plain_config(R"({"properties":{"q":"\"\\\/\b\f\n\r\t\u0041"}})")->at("q"), "\"\\/\b\f\n\r\tA");
}

TEST(ConfigParse, TopLevelStringsOfTheStorageMarker) {
  auto m = parse_plain_strings("{\n  \"layout_version\": 1,\n  \"storage\": \"btrfs\"\n}\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (PropertyValues{{"storage", "btrfs"}}));
  EXPECT_FALSE(parse_plain_strings(R"({"storage": ["zfs"]})"));
  EXPECT_FALSE(parse_plain_strings(R"({"storage": "zfs")"));
}

TEST(ConfigParse, ParseConfigGivesTheSameEitherWay) {
  // parse_config takes the fast path or the JSON one; callers cannot tell.
  EXPECT_EQ(parse_config(R"({"properties":{"n":5,"s":"x"}})", "c.json"), (PropertyValues{{"n", "5"}, {"s", "x"}}));
  EXPECT_EQ(parse_config(R"({"properties":{"s":"x"}})", "c.json"), (PropertyValues{{"s", "x"}}));
  EXPECT_THROW(parse_config(R"({"properties":"x"})", "c.json"), std::runtime_error);
}

}  // namespace
}  // namespace iocell::core
