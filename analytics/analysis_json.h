// The JSON form of analytics results, shared by `kpulse analyze --json` and
// the dashboard's API (docs/dashboard.md). Fields are only ever added.
#pragma once

#include <nlohmann/json.hpp>

#include "analytics/analyzer.h"

namespace kpulse::analytics {

nlohmann::json to_json(const Alert& a);
nlohmann::json to_json(const Bottleneck& b);
nlohmann::json to_json(const WorkloadPattern& p);
nlohmann::json to_json(const Recommendation& r);
nlohmann::json to_json(const UseRow& row);
nlohmann::json to_json(const MetricForecast& f);

}  // namespace kpulse::analytics
