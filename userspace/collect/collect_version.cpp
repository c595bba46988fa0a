// Placeholder translation unit so the library exists before its first module.
namespace kpulse::collect {
int library_version() { return 1; }
}  // namespace kpulse::collect
