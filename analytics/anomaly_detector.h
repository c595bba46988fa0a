// Streaming anomaly detector for one metric series.
//
// Each update() sees one sample and returns an anomaly score in [0, 1] that
// depends only on that sample and earlier ones (no look-ahead), in O(1) time
// (well under a microsecond) and bounded memory: about 24 KiB per series with
// the default 5-minute time-of-day resolution (bin_seconds = 900 brings it to
// about 10 KiB), plus 16 KiB for the context learner when the model uses it
// (see AnomalyModel; the default blend does).
//
// Baseline: two predictors run side by side, a robust level (for flat or
// drifting metrics) and a time-of-day profile plus a residual level (for
// metrics with a daily rhythm). The profile needs the sampling step, inferred
// from the timestamps, and is trusted only once it predicts clearly better.
// Outliers are clipped before they update a baseline, so one spike neither
// moves it nor hides the next; a deviation that persists for a few samples is
// adopted as a new level, so a level shift alarms once rather than forever.
// What the metric read at about this time on the last three days is not news
// (a nightly job that drifts by a few minutes does not alarm every night), nor
// is a surprise like one it showed within 45 minutes of this time on each of
// those days (a nightly job that drifts by half an hour; a missing daily peak
// is still news, as no past day was surprised that way). A value that merely repeats the
// previous one (an idle or stalled metric) says nothing about the noise: the
// error scale does not shrink through such a stretch, so the first real
// sample after hours of zeros is judged against the series' usual noise.
//
// Score: three channels look at the prediction error: its size now (a spike
// or saturation scores within one sample), its signed average over a few
// samples against a slow baseline (a sustained change), and its unsigned
// average (the series turning erratic). Each channel is ranked against its own recent history, so
// the score says "rarer than almost anything this series has done lately" rather than "n sigmas",
// which keeps one threshold meaningful across Gaussian, spiky and quantised metrics alike. An
// incident far beyond that history raises the bar for its own next samples only, not for the next
// incident a day later. The rarest channel sets the score; repeats within an episode are damped.
#pragma once

#include <string_view>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "analytics/anomaly_context.h"
#include "analytics/anomaly_recent_days.h"
#include "analytics/anomaly_tail.h"

namespace kpulse::analytics {

// Which learner scores a series: the baseline-and-surprise model described
// above, the contextual novelty learner (anomaly_context.h), or the mean of
// the two scores (a learner still in its warm-up abstains). The blend scores
// best under NAB cross-validation and is the default for live alerts and
// offline series alike (BENCHMARKS.md "Issue 20 (20g)", "(20h)").
enum class AnomalyModel { kBaseline, kContext, kBlend };
// "baseline", "context", "blend" (command-line and harness spelling); nullopt otherwise.
std::optional<AnomalyModel> anomaly_model_named(std::string_view name);

struct AnomalyDetectorConfig {
  AnomalyModel model = AnomalyModel::kBlend;
  ContextDetectorConfig context;  // used by kContext and kBlend
  // Samples before the first non-zero score: the baseline must see some data.
  int warmup_samples = 8;
  // Adaptation rate of the level (per sample) and of the error scale.
  double level_rate = 0.05;
  double scale_rate = 0.01;
  // Errors beyond this many scales are clipped before updating the baseline.
  double clip_scales = 3.0;
  // Memory of the surprise history that ranks each new surprise (half-life in
  // samples), and the rarity (decades of tail probability) that scores 1.
  double history_half_life = 500;
  double full_score_decades = 4.0;
  // One surprise lifts a channel's long-term record by this factor at most;
  // the rest of an incident's size masks only its own aftermath, fading with
  // this half-life (samples). Without it one big incident hides every smaller
  // one for days (the record fades with history_half_life).
  double record_rise = 5.0;
  double incident_half_life = 24;
  // Samples averaged by the sustained-deviation and volatility channels.
  double sustained_samples = 6;
  double volatility_samples = 6;
  // Scores no higher than the recent peak (which halves every
  // repeat_half_life samples) are multiplied by repeat_damping: one incident,
  // one alarm, even when its second sample is as rare as its first.
  double repeat_damping = 0.6;
  double repeat_half_life = 24;
  // A run of this many samples off the baseline by more than clip_scales on
  // the same side is accepted as a new level.
  int shift_samples = 6;
  // Time-of-day profile resolution (seconds per bin; a day has 86400/bin_seconds
  // bins at most) and its adaptation rate per day.
  double bin_seconds = 300.0;
  double season_rate = 0.3;
};

class AnomalyDetector {
 public:
  explicit AnomalyDetector(AnomalyDetectorConfig config = {});

  // Feeds one sample (time in unix seconds) and returns its score. Samples
  // are taken in the order given: a time that steps back or repeats (a clock
  // step) is a sample like any other. A NaN value or time is ignored (score
  // 0, nothing learned); a value beyond +-1e100 (kMaxSeriesMagnitude) is
  // held at that bound, so no input makes the arithmetic overflow.
  double update(double t_unix, double value);

  // Sampling step inferred from the timestamps so far (0 until known).
  double step_seconds() const { return step_; }
  // Whether the time-of-day profile is currently the predictor in use.
  bool seasonal_active() const { return use_season_; }
  // Surprise of the last sample, in error scales (for diagnostics).
  double last_z() const { return last_z_; }

 private:
  double baseline_update(double t_unix, double value);
  // Distance from x to what recent days read (or were surprised by) around
  // this time of day; -1 if none is known. Records this sample for later days.
  double recent_days_explain(double t_unix, double x, double error);
  // Score of a warm sample from its instant and sustained surprises (ranks
  // each channel against its history, then damps repeats of an episode).
  double rank_channels(double z, double z2);
  // The time-of-day profile's learning from one sample in `bin`.
  void learn_season(size_t bin, double x, double e_season, double floor, bool warm);
  void infer_step(double t_unix);
  double score_of(double p) const;

  // One predictor's baseline: level, robust error scale, the slow error
  // average that decides which predictor to trust, and its level-shift run.
  struct Track {
    double level = 0;
    double scale = 0;
    double choice_mae = 0;
    int run_sign = 0;
    int run_len = 0;
    double run_sum = 0;
  };
  void learn(Track& track, double error, double floor, bool warm);

  AnomalyDetectorConfig cfg_;
  int64_t n_ = 0;
  double first_t_ = 0;

  // Step inference from the first few time deltas (median).
  double last_t_ = 0;
  std::array<double, 15> deltas_{};
  int n_deltas_ = 0;
  double step_ = 0;

  Track plain_;
  Track seasonal_;                  // its level: residual from the time-of-day profile
  std::vector<double> season_;      // per time-of-day bin: the value expected then
  std::vector<uint32_t> season_n_;  // updates per bin
  bool use_season_ = false;
  std::vector<RecentDays> recent_days_;  // empty until the step is known, or if too coarse
  int routine_slack_bins_ = 0;           // bins either side for a value seen every day

  // Slow mean and mean absolute deviation of the values themselves: the
  // floor of the error scale is a small fraction of the series' own spread.
  double long_mean_ = 0;
  double spread_ = 0;

  // Previous value, and how many samples in a row have repeated it exactly.
  double prev_x_ = 0;
  int repeat_run_ = 0;

  // Sustained-deviation channel: a short average of the deviation from a slow
  // baseline, ranked against its own history. It catches a change that lasts
  // (a burst, a new level) even where single samples of that size are common.
  double slow_level_ = 0;
  double sustained_ = 0;
  SurpriseTail sustained_tail_;

  double volatility_ = 0;
  SurpriseTail volatility_tail_;

  SurpriseTail tail_;
  double last_z_ = 0;
  double recent_peak_ = 0;
  double repeat_decay_;

  std::optional<ContextAnomalyDetector> context_;  // only when the model uses it
};

}  // namespace kpulse::analytics
