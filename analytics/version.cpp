// Placeholder translation unit so the library exists before its first module.
namespace kpulse::analytics {
int library_version() { return 1; }
}  // namespace kpulse::analytics
