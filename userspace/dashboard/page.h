// The dashboard page served at /: one HTML document with its script and
// styles inline (and the report's chart stylesheet), nothing fetched from
// elsewhere, so it works offline and behind strict proxies.
#pragma once

#include <string>

namespace kpulse::dashboard {

const std::string& page_html();

}  // namespace kpulse::dashboard
