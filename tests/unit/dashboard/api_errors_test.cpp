// The JSON API answers a parameter it cannot use with 400 and a reason that
// names it; 404 stays for what does not exist. Bad parameters answered
// `404 {"error":"not found"}`, and series?since=garbage was read as -5m.
#include <httplib.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dashboard/board.h"

namespace kpulse::dashboard {
namespace {

using nlohmann::json;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A board with a minute of live history (host CPU only).
class Api : public ::testing::Test {
 protected:
  Api() : board_({.analytics = false}) {
    const int64_t now = now_ns();
    for (int i = 0; i < 60; ++i) {
      model::Snapshot s;
      s.seq = static_cast<uint64_t>(i);
      s.time_ns = now - (59 - i) * 1'000'000'000LL;
      s.interval_s = 1;
      model::Component host{.kind = model::ComponentKind::Host, .id = "host"};
      host.set_gauge(model::MetricId::CpuUtilization, 0.5);
      s.components.push_back(host);
      board_.publish_snapshot(s);
    }
  }

  // What the route for `path` answers to a query of `params`.
  httplib::Response get(const std::string& path, const httplib::Params& params) {
    httplib::Request req;
    req.path = path;
    req.params = params;
    httplib::Response res;
    for (const auto& route : board_.routes())
      if (route.pattern == path) route.handler(req, res);
    if (res.status == -1) res.status = 200;  // the server's default when a handler sets none
    return res;
  }

  // The parameter a 400 answer names.
  static std::string named(const httplib::Response& res) {
    return json::parse(res.body).value("parameter", "");
  }

  Board board_;
};

TEST_F(Api, ATimeThatIsNotATimeIsA400NamingIt) {
  auto res = get("/api/v1/charts", {{"since", "garbage"}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(named(res), "since") << res.body;
  EXPECT_NE(json::parse(res.body)["error"].get<std::string>().find("garbage"), std::string::npos);
  res = get("/api/v1/series",
            {{"metric", "cpu.utilization"}, {"component", "host:host"}, {"since", "garbage"}});
  EXPECT_EQ(res.status, 400) << "read as the default window: " << res.body;
  EXPECT_EQ(named(res), "since");
  res = get("/api/v1/live", {{"since", "-5m"}, {"after", "soon"}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(named(res), "after");
}

TEST_F(Api, AWindowEndingBeforeItStartsIsA400) {
  const auto res = get("/api/v1/charts", {{"since", "-5m"}, {"until", "-10m"}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(named(res), "since") << res.body;
}

TEST_F(Api, UntilNowIsTheLiveWindow) {
  const auto res = get("/api/v1/charts", {{"since", "-5m"}, {"until", "now"}});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["source"], "live");
}

TEST_F(Api, AComponentThatIsNotKindColonIdIsA400) {
  auto res = get("/api/v1/series", {{"metric", "cpu.utilization"}, {"component", "host"}});
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(named(res), "component");
  res = get("/api/v1/series", {{"metric", "cpu.utilization"}, {"component", "nokind:x"}});
  EXPECT_EQ(res.status, 400) << res.body;
}

TEST_F(Api, WhatDoesNotExistStaysA404) {
  auto res = get("/api/v1/series", {{"metric", "no.such.metric"}, {"component", "host:host"}});
  EXPECT_EQ(res.status, 404) << res.body;
  res = get("/api/v1/alert", {{"id", "no-such-alert"}});
  EXPECT_EQ(res.status, 404) << res.body;
  res = get("/api/v1/series", {{"metric", "cpu.utilization"}, {"component", "host:host"}});
  EXPECT_EQ(res.status, 200) << res.body;
}

}  // namespace
}  // namespace kpulse::dashboard
