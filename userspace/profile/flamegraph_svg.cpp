// A flame graph drawn directly as SVG: the root at the bottom, each frame as
// wide as its share of samples, siblings sorted by name as in flamegraph.pl.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "model/markup.h"
#include "profile/profile_formats.h"

namespace kpulse::profile {
namespace {

constexpr double kWidth = 1200, kFrameHeight = 16, kPad = 10, kTitleHeight = 28;
constexpr double kCharWidth = 6.6;  // of the 11 px monospace font, for trimming labels

struct Node {
  std::string name;
  bool kernel = false;
  uint64_t count = 0;
  std::map<std::string, std::unique_ptr<Node>> children;
};

// Warm colours for user code, orange for the kernel, grey for unknown frames;
// the shade comes from the name so a function keeps its colour across graphs.
std::string colour(const Node& n) {
  if (n.name == "[unknown]") return "rgb(190,190,190)";
  uint32_t h = 2166136261u;
  for (char c : n.name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  const int v = static_cast<int>(h % 60);
  char buf[32];
  if (n.kernel)
    std::snprintf(buf, sizeof buf, "rgb(%d,%d,%d)", 230, 140 + v / 2, 40);
  else
    std::snprintf(buf, sizeof buf, "rgb(%d,%d,%d)", 205 + v / 2, 60 + v * 2, 50);
  return buf;
}

size_t depth_of(const Node& n) {
  size_t d = 0;
  for (const auto& [_, c] : n.children) d = std::max(d, depth_of(*c));
  return d + 1;
}

void draw(const Node& n, double x, size_t level, double per_sample, double bottom, uint64_t total,
          ProfileMode mode, std::string& out) {
  const double w = n.count * per_sample;
  if (w < 0.3) return;  // invisible; its children are narrower still
  const double y = bottom - (level + 1) * kFrameHeight;
  char buf[256];
  std::string label = n.name + (n.kernel ? " [k]" : "");
  std::snprintf(buf, sizeof buf, " (%s, %.2f%%)", amount_text(mode, n.count).c_str(),
                100.0 * n.count / total);
  out += "<g><title>" + model::escape_markup(label + buf) + "</title>";
  std::snprintf(buf, sizeof buf,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"", x, y, w,
                kFrameHeight - 1);
  out += buf + colour(n) + "\" rx=\"2\"/>";
  const size_t fits = static_cast<size_t>((w - 6) / kCharWidth);
  if (fits >= 3) {
    std::string text = label.size() <= fits ? label : label.substr(0, fits - 2) + "..";
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + kFrameHeight - 4.5);
    out += buf + model::escape_markup(text) + "</text>";
  }
  out += "</g>\n";
  double cx = x;
  for (const auto& [_, c] : n.children) {
    draw(*c, cx, level + 1, per_sample, bottom, total, mode, out);
    cx += c->count * per_sample;
  }
}

}  // namespace

std::string to_flamegraph_svg(const Profile& p, const std::string& title) {
  Node root{"all", false, 0, {}};
  for (const auto& s : p.samples) {
    root.count += s.count;
    Node* n = &root;
    auto step = [&](const std::string& name, bool kernel) {
      const std::string key = name + (kernel ? "\x1fk" : "");
      auto& child = n->children[key];
      if (!child) child = std::make_unique<Node>(Node{name, kernel, 0, {}});
      child->count += s.count;
      n = child.get();
    };
    step(s.comm.empty() ? "[unknown]" : s.comm, false);
    for (const auto& f : s.frames) step(f.function, f.kernel);
  }
  const size_t depth = depth_of(root);
  const double height = kTitleHeight + depth * kFrameHeight + 2 * kPad;
  const double per_sample = root.count ? (kWidth - 2 * kPad) / root.count : 0;
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<?xml version=\"1.0\" standalone=\"no\"?>\n"
                "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n"
                "<style>text{font-family:monospace;font-size:11px;fill:#000}"
                ".title{font-size:15px;text-anchor:middle}</style>\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f0\"/>\n",
                kWidth, height, kWidth, height);
  out += buf;
  std::snprintf(buf, sizeof buf, "<text class=\"title\" x=\"%.0f\" y=\"20\">", kWidth / 2);
  out += buf + model::escape_markup(title) + "</text>\n";
  if (root.count) draw(root, kPad, 0, per_sample, height - kPad, root.count, p.mode, out);
  out += "</svg>\n";
  return out;
}

}  // namespace kpulse::profile
