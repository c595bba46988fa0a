// The metric catalog as a Markdown table: the README's metrics reference and
// `kpulse metrics --markdown` are both this text.
#pragma once

#include <string>

namespace kpulse::model {

std::string catalog_markdown();

}  // namespace kpulse::model
