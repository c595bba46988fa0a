// The pieces the recommendation rules are written with (recommend.h is the
// interface): knob builders, proposers (what to write, given what a knob
// reads), expected-gain texts, and Builder, which reads the knobs and adds
// recommendations. The rules live one file per resource.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/recommend.h"

namespace kpulse::analytics::rules {

// What to write, given what the knob reads (nullopt: nothing to propose).
using Proposer = std::function<std::optional<std::string>(const std::optional<std::string>&)>;
// An expected gain: the words, and the numbers when the measurement gives them.
struct Gain {
  // Words alone are a gain: most rules have no number to state it on.
  Gain(std::string words) : text(std::move(words)) {}  // NOLINT(google-explicit-constructor)
  Gain(const char* words) : text(words) {}             // NOLINT(google-explicit-constructor)
  Gain(std::string words, PredictedGain numbers)
      : text(std::move(words)), predicted(std::move(numbers)) {}
  std::string text;
  std::optional<PredictedGain> predicted;
};
// The expected gain of moving a knob from one value to another.
using GainFn = std::function<Gain(const std::string& from, const std::string& to)>;

// One way to turn a knob: the cgroup v2 file or its v1 counterpart.
struct Option {
  Knob knob;
  Proposer propose;
  std::string default_value;  // what the knob reads when never set
};

class Builder {
 public:
  Builder(const Bottleneck& b, const KnobReader& read, std::vector<Recommendation>& out)
      : b_(b), read_(read), out_(out) {}

  // The current value of another knob a rule depends on.
  std::optional<std::string> read(const Knob& k) const { return read_ ? read_(k) : std::nullopt; }

  // Adds a recommendation unless the knob is unreadable or already there.
  void add(std::string scenario, Knob knob, const Proposer& propose, Gain gain, double confidence,
           std::string rationale);

  // The first option whose knob reads here; when none does (the cgroup lacks
  // the file in this layout), advice on the option that fits the layout,
  // proposed from the knob's default. `controller` is the cgroup v2
  // controller the first option needs: a cgroup2 directory without it means
  // the controller lives on v1 (hybrid host).
  void add_first(const std::string& scenario, const std::vector<Option>& options,
                 const std::string& controller, const GainFn& gain, double confidence,
                 const std::string& rationale, const std::string& advice);

 private:
  void push(std::string scenario, Knob knob, std::string current, std::string proposed, Gain gain,
            double confidence, std::string rationale);

  const Bottleneck& b_;
  const KnobReader& read_;
  std::vector<Recommendation>& out_;
};

// "cgroup:/a/b" -> "/a/b", "disk:sda" -> "sda"; "" for other kinds.
std::string cgroup_of(const std::string& key);
std::string device_of(const std::string& key);
// A knob's number; nullopt when absent or not a number.
std::optional<double> number(const std::optional<std::string>& s);
std::string fmt_num(double v);  // "%.0f"
std::string percent(double share);

Knob cgroup_knob(const std::string& cgroup, std::string name);
Knob sysctl_knob(std::string name);
Knob block_knob(const std::string& dev, std::string name);

// Raises a numeric knob to at least `floor` and at least `factor` times its value.
Proposer raise_to(double floor, double factor, double cap);
// Lowers a numeric knob to a quarter of its value, not below `floor`.
Proposer lower_to_quarter(double floor);

// The evidence a gain is stated on: the first of `prefer` present, else the worst.
const Evidence* gain_signal(const Bottleneck& b, std::initializer_list<std::string_view> prefer);
// A weight knob's number: "100", or io.weight's "default 100".
double weight_value(const std::string& v);
// The gain of a weight change, as the starved side's wait and share.
GainFn weight_gain(const Bottleneck& b, const std::string& who, bool raises_victim);
// Advice when the cause is the root cgroup itself, which has none of `knobs`.
std::string root_advice(const Bottleneck& b, const std::string& knobs);

// The rules, one per resource.
void cpu_rules(const Bottleneck& b, Builder& add);
void memory_rules(const Bottleneck& b, Builder& add);
void disk_rules(const Bottleneck& b, Builder& add);
void network_rules(const Bottleneck& b, Builder& add);

}  // namespace kpulse::analytics::rules
