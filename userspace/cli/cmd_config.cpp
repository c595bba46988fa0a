// `kpulse config check|defaults`: validate a configuration file, or print a
// complete commented one with every option at its default.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/user_files.h"
#include "config/config.h"
#include "exporters/http_access.h"

namespace kpulse::cli {

void register_config(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand("config", "Check the daemon's configuration or print defaults");
  app->require_subcommand(1);

  auto path = std::make_shared<std::string>(config::kDefaultConfigPath);
  auto* check = app->add_subcommand("check", "Validate a configuration file (exit 1 if invalid)");
  check->add_option("-c,--config", *path, "Configuration file")->capture_default_str();
  reg.push_back({check, [path] {
                   drop_privileges_for_user_files();
                   // Every problem at once, so one edit fixes them all.
                   auto errors = config::check_config_file(*path);
                   for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.what());
                   if (!errors.empty()) return 1;
                   // What `run` reads as it starts: a token file it cannot
                   // use would stop it after check said OK.
                   const config::Config c = config::load_config(*path);
                   try {
                     if (!c.dashboard.token_file.empty())
                       (void)exporters::read_token_file(c.dashboard.token_file);
                   } catch (const std::exception& e) {
                     std::fprintf(stderr, "%s: dashboard.token_file: %s\n", path->c_str(),
                                  e.what());
                     return 1;
                   }
                   std::printf("%s: OK\n", path->c_str());
                   return 0;
                 }});

  auto* defaults =
      app->add_subcommand("defaults", "Print a commented configuration with every default");
  reg.push_back({defaults, [] {
                   std::fputs(config::default_config_text().c_str(), stdout);
                   return 0;
                 }});
}

}  // namespace kpulse::cli
