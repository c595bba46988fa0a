// Prints the table of exported metric names (OTLP and Prometheus) generated
// from the catalog. With --update FILE, rewrites the generated section of FILE
// (docs/exporters.md) in place.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "exporters/export_names.h"

int main(int argc, char** argv) {
  const std::string table = kpulse::exporters::exported_metrics_markdown();
  if (argc == 3 && std::strcmp(argv[1], "--update") == 0) {
    std::ifstream in(argv[2]);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string doc = ss.str();
    const std::string begin(kpulse::exporters::kGeneratedBegin),
        end(kpulse::exporters::kGeneratedEnd);
    const size_t b = doc.find(begin), e = doc.find(end);
    if (!in || b == std::string::npos || e == std::string::npos || e < b) {
      std::fprintf(stderr, "%s: no '%s' ... '%s' section to replace\n", argv[2], begin.c_str(),
                   end.c_str());
      return 1;
    }
    doc.replace(b + begin.size(), e - b - begin.size(), "\n" + table);
    std::ofstream(argv[2]) << doc;
    return 0;
  }
  if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--update docs/exporters.md]\n", argv[0]);
    return 2;
  }
  std::fputs(table.c_str(), stdout);
  return 0;
}
