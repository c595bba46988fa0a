// Placeholder translation unit so the library exists before its first module.
namespace kpulse::exporters {
int library_version() { return 1; }
}  // namespace kpulse::exporters
